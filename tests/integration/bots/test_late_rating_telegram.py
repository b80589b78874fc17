"""A rating button pressed late, in Telegram end to end: the demo knowledge base, the real NLU, the Bot API double.

Regression: after Resolve the shopper asked a question (answered), then pressed the still visible "5":
a new conversation was stored with the text ``csat:5``, nothing was said and the rating was lost.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.database import utcnow
from core.models import Conversation, ConversationEvent
from handoff import flows, texts
from handoff.state import SYSTEM, Outcome
from tests.support import telegram_payloads as tp
from tests.support.channels import eventually, post_telegram


@pytest.fixture
def client(demo_kb_client):
    """The app with the product's own flow and NLU over the demo knowledge base."""
    return demo_kb_client


async def _send(client, settings, telegram, user_id: int, update_: dict) -> dict:
    """Post ``update_`` and return the one message the bot sent back."""
    before = len(telegram.sent(user_id))
    assert (await post_telegram(client, settings, update_)).status_code == 200
    await eventually(lambda: len(telegram.sent(user_id)) == before + 1)
    return telegram.sent(user_id)[-1]


async def _say(client, settings, telegram, user_id: int, text: str) -> dict:
    return await _send(client, settings, telegram, user_id, tp.text_update(text, user_id=user_id, language_code="uk"))


async def _conversations(session_factory, user_id: int) -> list[Conversation]:
    async with session_factory() as session:
        return list((await session.scalars(select(Conversation).where(Conversation.chat_id == str(user_id))
                                           .order_by(Conversation.id))).all())


async def _resolved_by_an_agent(client, settings, telegram, session_factory, user_id: int) -> dict:
    """Hand the shopper to a person and resolve; the rating request as Telegram got it."""
    await _say(client, settings, telegram, user_id, "покличте оператора")
    (queued,) = await _conversations(session_factory, user_id)
    async with session_factory() as session, session.begin():
        conversation = await session.get(Conversation, queued.id)
        outcome = Outcome()
        await flows.resolve(session, conversation, actor=SYSTEM, language="uk", outcome=outcome)
        await flows.send_notices(session, conversation, outcome)
    await eventually(lambda: len(telegram.sent(user_id)) == 2)
    return telegram.sent(user_id)[-1]


def _press(rating_request: dict, score: int, user_id: int) -> dict:
    return tp.callback_update(f"csat:{score}", user_id=user_id, message=tp.bot_message(rating_request),
                              query_id=f"cq-{user_id}-{score}")


@pytest.mark.parametrize("user_id, moved_on", [
    pytest.param(7770001, ["скільки коштує доставка?"], id="after-an-answered-question"),
    pytest.param(7770002, ["скільки коштує доставка?", "а як оплатити?"], id="after-a-new-conversation-began"),
])
async def test_a_late_press_rates_the_conversation_it_was_asked_for(client, channels_settings, telegram,
                                                                    session_factory, user_id, moved_on) -> None:
    request = await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id)
    assert request["text"] == texts.text("csat_question", "uk")
    for question in moved_on:
        await _say(client, channels_settings, telegram, user_id, question)
    before = len(await _conversations(session_factory, user_id))

    thanks = await _send(client, channels_settings, telegram, user_id, _press(request, 5, user_id))
    assert thanks["text"] == texts.text("csat_thanks", "uk")
    conversations = await _conversations(session_factory, user_id)
    assert len(conversations) == before  # the press opened no conversation of its own
    assert (conversations[0].status, conversations[0].csat_score) == ("resolved", 5)


async def test_a_press_too_late_is_thanked_and_changes_nothing(client, channels_settings, telegram,
                                                                session_factory) -> None:
    user_id = 7770003
    request = await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id)
    await _say(client, channels_settings, telegram, user_id, "скільки коштує доставка?")
    async with session_factory() as session, session.begin():
        await session.execute(update(Conversation).where(Conversation.chat_id == str(user_id))
                              .values(resolved_at=utcnow() - timedelta(days=2)))

    thanks = await _send(client, channels_settings, telegram, user_id, _press(request, 2, user_id))
    assert thanks["text"] == texts.text("csat_thanks", "uk")
    resolved, asked_after = await _conversations(session_factory, user_id)  # the question began a new one
    assert (resolved.csat_score, asked_after.status) == (None, "bot")


async def test_a_second_press_replaces_the_first(client, channels_settings, telegram, session_factory) -> None:
    """A shopper who tapped 1 meaning 5 taps 5: the rating stored (and counted) is the 5."""
    user_id = 7770004
    request = await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id)
    await _send(client, channels_settings, telegram, user_id, _press(request, 1, user_id))
    assert (await _conversations(session_factory, user_id))[0].csat_score == 1

    again = await _send(client, channels_settings, telegram, user_id, _press(request, 5, user_id))
    assert again["text"] == texts.text("csat_thanks", "uk")
    (conversation,) = await _conversations(session_factory, user_id)
    assert (conversation.status, conversation.csat_score) == ("resolved", 5)


async def test_a_typed_rating_with_a_complaint_is_stored(client, channels_settings, telegram, session_factory) -> None:
    """Found by QA: "2 stars, too slow" got the fallback, the 2 was lost and the complaint became an
    unanswered question; unhappy shoppers, who add a complaint, went uncounted."""
    user_id = 7770005
    await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id)
    thanks = await _say(client, channels_settings, telegram, user_id, "2 stars, too slow")
    assert thanks["text"] == texts.text("csat_thanks", "uk")
    (conversation,) = await _conversations(session_factory, user_id)
    assert (conversation.status, conversation.csat_score) == ("resolved", 2)


async def test_a_rating_typed_after_a_press_corrects_it(client, channels_settings, telegram, session_factory) -> None:
    """Found by QA: "3, могло быть быстрее" typed after pressing 4 opened a new conversation with the bot's
    fallback; it is the shopper's corrected rating, and its comment belongs to the rated conversation."""
    user_id = 7770006
    request = await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id)
    await _send(client, channels_settings, telegram, user_id, _press(request, 4, user_id))

    thanks = await _say(client, channels_settings, telegram, user_id, "3, могло быть быстрее")
    assert thanks["text"] == texts.text("csat_thanks", "uk")
    (conversation,) = await _conversations(session_factory, user_id)
    assert (conversation.status, conversation.csat_score) == ("resolved", 3)


async def test_a_rating_typed_long_after_is_a_new_message(client, channels_settings, telegram,
                                                          session_factory) -> None:
    """Past the correction window a typed "2" is not taken as a rating of help long done."""
    user_id = 7770007
    request = await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id)
    await _send(client, channels_settings, telegram, user_id, _press(request, 4, user_id))
    async with session_factory() as session, session.begin():
        # The rating an hour ago; the row itself touched just now (a merge or an edit does that).
        rated = select(Conversation.id).where(Conversation.chat_id == str(user_id)).scalar_subquery()
        await session.execute(update(ConversationEvent).where(ConversationEvent.conversation_id == rated,
                                                              ConversationEvent.kind == "csat_rated")
                              .values(created_at=utcnow() - timedelta(hours=1)))
        await session.execute(update(Conversation).where(Conversation.chat_id == str(user_id))
                              .values(updated_at=utcnow()))

    reply = await _say(client, channels_settings, telegram, user_id, "2 stars, too slow")
    assert reply["text"] != texts.text("csat_thanks", "uk")
    rated, asked_after = await _conversations(session_factory, user_id)
    assert (rated.csat_score, asked_after.status) == (4, "bot")
