""""Did you mean" with two articles titled alike, through the real webhooks, the real NLU and the doubles.

Regression: Viber showed two identical buttons, and since a pressed Viber reply button comes back as
its label (the ActionBody), both led to the same article. Each button now reads differently (a tag
only that article has, else its place in the list) and leads to its own article.
"""

from contextlib import asynccontextmanager

import pytest
from litestar.testing import AsyncTestClient

from bots.steps.answer import DID_YOU_MEAN
from bots.viber.keyboards import Tracking
from tests.integration.bots.test_clarify_buttons import Desk, _candidate_rows, _nth_sent, _viber_press
from tests.support import telegram_payloads as tp
from tests.support import viber_payloads as vp
from tests.support.channels import post_telegram, post_viber
from tests.support.kb import article_body, publish_article, staff_headers

QUESTION = "What is the delivery?"
TITLE = "Delivery"
ANSWERS = {"delivery-cost": "Delivery costs 70 UAH.", "delivery-time": "Delivery takes 1 to 3 days."}
TOLD_APART = {"delivery-cost": ["delivery", "prices"], "delivery-time": ["delivery", "timing"]}
ALIKE = {"delivery-cost": ["delivery"], "delivery-time": ["delivery"]}


@asynccontextmanager
async def _desk(settings, session_factory, tags: dict[str, list[str]]):
    """The app with the product's flow and NLU and two published articles, both titled "Delivery", that the
    question fits equally (each asks "What is the delivery <word>?", the question lacks the word)."""
    from web.app import create_app

    async with AsyncTestClient(app=create_app(settings)) as client:
        editor = await staff_headers(session_factory, client, "editor")
        for slug, answer in ANSWERS.items():
            word = slug.split("-")[1]
            await publish_article(client, editor, article_body(
                slug, title=TITLE, tags=tags[slug], source_language="en",
                variants={"en": {"answer": answer, "questions": [f"What is the delivery {word}?"]}}))
        search = (await client.get("/api/kb/search", params={"q": QUESTION, "language": "en"},
                                   headers=editor)).json()
        assert search["decision"]["action"] == "clarify", search
        yield Desk(client, editor)


@pytest.fixture
async def told_apart(channels_settings, session_factory):
    """Two articles titled alike, each with a tag the other lacks."""
    async with _desk(channels_settings, session_factory, TOLD_APART) as desk:
        yield desk


@pytest.fixture
async def alike(channels_settings, session_factory):
    """Two articles titled alike with the same tags."""
    async with _desk(channels_settings, session_factory, ALIKE) as desk:
        yield desk


async def _viber_offer(desk: Desk, settings, viber, n: int) -> dict:
    """Ask the question in Viber; the ``n``-th message the double received: the "did you mean" offer."""
    assert (await post_viber(desk.client, settings, vp.message_event(vp.text(QUESTION)))).status_code == 200
    offer = await _nth_sent(viber, vp.USER_ID, n)
    assert offer["text"] == DID_YOU_MEAN["en"]
    return offer


@pytest.mark.parametrize(("label", "slug"), [
    pytest.param("Delivery (prices)", "delivery-cost", id="prices"),
    pytest.param("Delivery (timing)", "delivery-time", id="timing"),
])
async def test_viber_buttons_of_alike_titles_carry_a_tag_and_lead_to_their_own_article(
        told_apart, channels_settings, viber, label, slug):
    offer = await _viber_offer(told_apart, channels_settings, viber, 1)
    buttons = [b for b in offer["keyboard"]["Buttons"] if b["ActionBody"].startswith(TITLE)]
    assert sorted((b["Text"], b["ActionBody"]) for b in buttons) == [
        ("Delivery (prices)", "Delivery (prices)"), ("Delivery (timing)", "Delivery (timing)")]

    await _viber_press(told_apart, channels_settings, offer, label)
    assert (await _nth_sent(viber, vp.USER_ID, 2))["text"] == ANSWERS[slug]


async def test_viber_buttons_of_alike_titles_without_a_telling_tag_are_numbered(alike, channels_settings, viber):
    chosen = []
    for label, n in (("Delivery (1)", 1), ("Delivery (2)", 3)):  # ask, press; ask again, press the other
        offer = await _viber_offer(alike, channels_settings, viber, n)
        assert sorted(b["Text"] for b in offer["keyboard"]["Buttons"] if b["Text"].startswith(TITLE)) == [
            "Delivery (1)", "Delivery (2)"]
        slug = Tracking.decode(offer["tracking_data"]).buttons[label].removeprefix("kb:")
        await _viber_press(alike, channels_settings, offer, label)
        assert (await _nth_sent(viber, vp.USER_ID, n + 1))["text"] == ANSWERS[slug]
        chosen.append(slug)
    assert sorted(chosen) == sorted(ANSWERS)  # the two numbers are the two articles


async def test_telegram_applies_the_same_labels(told_apart, channels_settings, telegram):
    assert (await post_telegram(told_apart.client, channels_settings, tp.text_update(QUESTION))).status_code == 200
    offer = await _nth_sent(telegram, tp.USER_ID, 1)
    assert sorted((row[0]["text"], row[0]["callback_data"]) for row in _candidate_rows(offer)) == [
        ("Delivery (prices)", "kb:delivery-cost"), ("Delivery (timing)", "kb:delivery-time")]
