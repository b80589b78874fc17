""""Did you mean" end to end: an ambiguous question through the real webhook, the real NLU and the API doubles,
one button per candidate, and the press answering the chosen article (issue #4: clarify buttons work in
Telegram and Viber). Stale and forged presses get a clear reply. A short follow-up instead of a press is read
against the question the buttons were offered for.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update

from bots.steps.answer import DID_YOU_MEAN, FALLBACK, FOLLOW_UP_WINDOW, GONE
from core.database import utcnow
from core.models import Message
from knowledge_base.models import AnswerRecord
from tests.support import telegram_payloads as tp
from tests.support import viber_payloads as vp
from tests.support.channels import post_telegram, post_viber, stored_messages
from tests.support.kb import article_body, publish_article, staff_headers

QUESTION = "What is the delivery?"
TITLES = {"delivery-cost": "Delivery cost", "delivery-time": "Delivery time"}
ANSWERS = {"delivery-cost": "Delivery costs 70 UAH.", "delivery-time": "Delivery takes 1 to 3 days."}
CHOSEN = "delivery-time"


@dataclass
class Desk:
    """The running app and an editor's API headers."""

    client: AsyncTestClient
    editor: dict[str, str]


def _delivery_article(slug: str) -> dict:
    # Both articles ask "What is the delivery <word>?": the question lacks exactly the word that tells
    # them apart, so they tie by construction whatever the NLU's calibration constants are.
    title = TITLES[slug]
    return article_body(slug, title=title, source_language="en",
                        variants={"en": {"answer": ANSWERS[slug], "questions": [f"What is the {title.lower()}?"]}})


@pytest.fixture
async def desk(channels_settings, session_factory):
    """The app with the product's own flow and NLU, and two published articles the question fits equally."""
    from web.app import create_app

    async with AsyncTestClient(app=create_app(channels_settings)) as client:
        editor = await staff_headers(session_factory, client, "editor")
        for slug in TITLES:
            await publish_article(client, editor, _delivery_article(slug))
        search = (await client.get("/api/kb/search", params={"q": QUESTION, "language": "en"}, headers=editor)).json()
        assert search["decision"]["action"] == "clarify", search  # the ambiguity is the NLU's, not a stub's
        assert {match["article_id"] for match in search["matches"][:2]} == set(TITLES)
        yield Desk(client, editor)


async def _nth_sent(double, receiver, n: int) -> dict:
    """The ``n``-th message (1-based) the bot sent to ``receiver`` through ``double``, once it has arrived."""
    await double.wait_for_async(lambda: len(double.sent(receiver)) >= n)
    return double.sent(receiver)[n - 1]


def _candidate_rows(sent: dict) -> list[list[dict]]:
    """The inline keyboard rows of a Telegram message that hold "did you mean" buttons."""
    rows = sent["reply_markup"]["inline_keyboard"]
    return [row for row in rows if any(button["callback_data"].startswith("kb:") for button in row)]


async def _telegram_offer(desk: Desk, settings, telegram) -> dict:
    """Ask the ambiguous question in Telegram; the "did you mean" message the double received."""
    assert (await post_telegram(desk.client, settings, tp.text_update(QUESTION))).status_code == 200
    offer = await _nth_sent(telegram, tp.USER_ID, 1)
    assert offer["text"] == DID_YOU_MEAN["en"]
    return offer


async def _telegram_press(desk: Desk, settings, offer: dict, data: str, query_id: str) -> None:
    """Press the button with ``data`` under ``offer`` (a callback_query Update, as Telegram sends it)."""
    update = tp.callback_update(data, message=tp.bot_message(offer), query_id=query_id)
    assert (await post_telegram(desk.client, settings, update)).status_code == 200


async def _viber_offer(desk: Desk, settings, viber) -> dict:
    """Ask the ambiguous question in Viber; the "did you mean" message the double received."""
    assert (await post_viber(desk.client, settings, vp.message_event(vp.text(QUESTION)))).status_code == 200
    offer = await _nth_sent(viber, vp.USER_ID, 1)
    assert offer["text"] == DID_YOU_MEAN["en"]
    return offer


async def _viber_press(desk: Desk, settings, offer: dict, label: str) -> None:
    """Press the reply button labelled ``label``: Viber posts its ActionBody as the shopper's text, with the
    tracking data of the bot's last message."""
    [button] = [b for b in offer["keyboard"]["Buttons"] if b["Text"] == label]
    assert button["ActionType"] == "reply"
    event = vp.message_event(vp.text(button["ActionBody"], tracking_data=offer["tracking_data"]))
    assert (await post_viber(desk.client, settings, event)).status_code == 200


async def test_telegram_offers_a_button_per_candidate_and_the_press_answers_it(
        desk, channels_settings, telegram, session_factory):
    offer = await _telegram_offer(desk, channels_settings, telegram)
    rows = _candidate_rows(offer)
    assert all(len(row) == 1 for row in rows)
    assert sorted((row[0]["text"], row[0]["callback_data"]) for row in rows) == [
        ("Delivery cost", "kb:delivery-cost"), ("Delivery time", "kb:delivery-time")]

    await _telegram_press(desk, channels_settings, offer, f"kb:{CHOSEN}", query_id="cq-chosen")
    answer = await _nth_sent(telegram, tp.USER_ID, 2)
    assert answer["text"] == ANSWERS[CHOSEN]
    assert answer["reply_markup"]["inline_keyboard"] == [[
        {"text": "👍", "callback_data": f"fb:{CHOSEN}:up"}, {"text": "👎", "callback_data": f"fb:{CHOSEN}:down"}]]
    # The client shows a spinner on the button until the bot answers the callback query.
    assert [call.params["callback_query_id"] for call in telegram.calls_of("answerCallbackQuery")] == ["cq-chosen"]
    async with session_factory() as session:
        [record] = (await session.scalars(select(AnswerRecord))).all()
    assert record.question == QUESTION  # what the shopper asked, not the button's data


async def test_the_press_is_in_the_timeline_as_the_shoppers_choice(desk, channels_settings, telegram,
                                                                   session_factory):
    offer = await _telegram_offer(desk, channels_settings, telegram)
    await _telegram_press(desk, channels_settings, offer, f"kb:{CHOSEN}", query_id="cq-timeline")
    await _nth_sent(telegram, tp.USER_ID, 2)
    agent = await staff_headers(session_factory, desk.client, "agent")
    [conversation] = (await desk.client.get("/api/conversations", headers=agent)).json()
    timeline = (await desk.client.get(f"/api/conversations/{conversation['id']}/messages", headers=agent)).json()
    assert [(m["direction"], m["author"], m["kind"], m["text"]) for m in timeline] == [
        ("in", "customer", "text", QUESTION),
        ("out", "bot", "text", DID_YOU_MEAN["en"]),
        ("in", "customer", "callback", f"kb:{CHOSEN}"),
        ("out", "bot", "text", ANSWERS[CHOSEN]),
    ]
    assert {"Delivery cost", "Delivery time"} <= {label for row in timeline[1]["buttons"] for label in row}
    answered = (await stored_messages(session_factory, "out"))[-1]
    assert (answered.payload["decision"]["action"], answered.payload["decision"]["article_id"]) == ("answer", CHOSEN)


async def test_viber_offers_a_reply_button_per_candidate_and_the_press_answers_it(
        desk, channels_settings, viber, session_factory):
    offer = await _viber_offer(desk, channels_settings, viber)
    labels = {button["Text"] for button in offer["keyboard"]["Buttons"]}
    assert set(TITLES.values()) <= labels

    await _viber_press(desk, channels_settings, offer, TITLES[CHOSEN])
    answer = await _nth_sent(viber, vp.USER_ID, 2)
    assert answer["text"] == ANSWERS[CHOSEN]
    pressed = (await stored_messages(session_factory, "in"))[-1]
    assert (pressed.kind, pressed.payload["data"], pressed.payload["label"]) == (
        "callback", f"kb:{CHOSEN}", TITLES[CHOSEN])


async def test_telegram_press_of_an_unpublished_article_is_told_so(desk, channels_settings, telegram):
    offer = await _telegram_offer(desk, channels_settings, telegram)
    article = (await desk.client.get(f"/api/articles/{CHOSEN}", headers=desk.editor)).json()
    archived = await desk.client.patch(f"/api/articles/{CHOSEN}", json={"version": article["version"],
                                                                        "status": "archived"}, headers=desk.editor)
    assert archived.status_code == 200, archived.text

    await _telegram_press(desk, channels_settings, offer, f"kb:{CHOSEN}", query_id="cq-stale")
    assert (await _nth_sent(telegram, tp.USER_ID, 2))["text"] == GONE["en"]
    assert [call.params["callback_query_id"] for call in telegram.calls_of("answerCallbackQuery")] == ["cq-stale"]


async def test_viber_press_of_a_deleted_article_is_told_so(desk, channels_settings, viber):
    offer = await _viber_offer(desk, channels_settings, viber)
    assert (await desk.client.delete(f"/api/articles/{CHOSEN}", headers=desk.editor)).status_code == 204

    await _viber_press(desk, channels_settings, offer, TITLES[CHOSEN])
    assert (await _nth_sent(viber, vp.USER_ID, 2))["text"] == GONE["en"]


@pytest.mark.parametrize("data", [
    pytest.param("kb:../../etc", id="path"), pytest.param("kb:no-such-article", id="unknown-slug"),
    pytest.param("kb:", id="empty-slug"), pytest.param("fb:../../etc:down", id="feedback-path"),
])
async def test_forged_callback_data_gets_a_clear_reply(desk, channels_settings, telegram, session_factory, data):
    offer = await _telegram_offer(desk, channels_settings, telegram)
    await _telegram_press(desk, channels_settings, offer, data, query_id="cq-forged")
    assert (await _nth_sent(telegram, tp.USER_ID, 2))["text"] == GONE["en"]
    assert [call.params["callback_query_id"] for call in telegram.calls_of("answerCallbackQuery")] == ["cq-forged"]
    async with session_factory() as session:
        assert (await session.scalars(select(AnswerRecord))).all() == []


@pytest.mark.parametrize(("follow_up", "article"), [
    ("and how much?", "delivery-cost"), ("and how long?", "delivery-time"),
])
async def test_a_follow_up_instead_of_a_press_is_read_against_the_question_offered_for(
        desk, channels_settings, telegram, follow_up, article):
    # Alone, the follow-up matches neither article well enough: it got "I could not find an answer".
    await _telegram_offer(desk, channels_settings, telegram)
    assert (await post_telegram(desk.client, channels_settings, tp.text_update(follow_up))).status_code == 200
    answer = await _nth_sent(telegram, tp.USER_ID, 2)
    assert answer["text"] == ANSWERS[article]


async def test_after_a_pause_the_offer_is_no_context_for_a_follow_up(desk, channels_settings, telegram,
                                                                    session_factory):
    await _telegram_offer(desk, channels_settings, telegram)
    async with session_factory() as session, session.begin():
        # The buttons were sent longer ago than the follow-up window: the shopper has moved on.
        await session.execute(update(Message).where(Message.direction == "out")
                              .values(created_at=utcnow() - FOLLOW_UP_WINDOW - timedelta(minutes=1)))
    assert (await post_telegram(desk.client, channels_settings, tp.text_update("and how much?"))).status_code == 200
    assert (await _nth_sent(telegram, tp.USER_ID, 2))["text"] == FALLBACK["en"]
