"""A rating button pressed late, in Telegram end to end: the demo knowledge base, the real NLU, the Bot API double.

Regression: after Resolve the shopper asked a question (answered), then pressed the still visible "5":
a new conversation was stored with the text ``csat:5``, nothing was said and the rating was lost.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.database import utcnow
from core.models import Conversation, ConversationEvent, Message
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


async def _say(client, settings, telegram, user_id: int, text: str, language: str = "uk") -> dict:
    update_ = tp.text_update(text, user_id=user_id, language_code=language)
    return await _send(client, settings, telegram, user_id, update_)


async def _conversations(session_factory, user_id: int) -> list[Conversation]:
    async with session_factory() as session:
        return list((await session.scalars(select(Conversation).where(Conversation.chat_id == str(user_id))
                                           .order_by(Conversation.id))).all())


_ASK_FOR_A_PERSON = {"uk": "покличте оператора", "ru": "позовите оператора", "en": "talk to a human please"}


async def _resolved_by_an_agent(client, settings, telegram, session_factory, user_id: int,
                                language: str = "uk") -> dict:
    """Hand the shopper to a person and resolve; the rating request as Telegram got it."""
    await _say(client, settings, telegram, user_id, _ASK_FOR_A_PERSON[language], language)
    (queued,) = await _conversations(session_factory, user_id)
    async with session_factory() as session, session.begin():
        conversation = await session.get(Conversation, queued.id)
        outcome = Outcome()
        await flows.resolve(session, conversation, actor=SYSTEM, language=language, outcome=outcome)
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


@pytest.mark.parametrize("user_id, language, typed", [
    pytest.param(7770011, "uk", "ставлю пятірку, дуже дякую", id="uk-no-apostrophe"),
    pytest.param(7770012, "uk", "5 дуже дякую", id="uk-digit-then-thanks"),
    pytest.param(7770013, "ru", "на пятерочку", id="ru-affectionate"),
    pytest.param(7770014, "en", "10/10", id="en-out-of-ten"),
])
async def test_ratings_as_shoppers_type_them_are_stored(client, channels_settings, telegram, session_factory,
                                                        user_id, language, typed) -> None:
    """Found by QA (F3): these got "I could not find an answer" and the 5 was lost."""
    await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id, language)
    thanks = await _say(client, channels_settings, telegram, user_id, typed, language)
    assert thanks["text"] == texts.text("csat_thanks", language)
    (conversation,) = await _conversations(session_factory, user_id)
    assert (conversation.status, conversation.csat_score) == ("resolved", 5)


@pytest.mark.parametrize("user_id, language, praise", [
    pytest.param(7770021, "uk", "все супер", id="uk"),
    pytest.param(7770022, "ru", "отлично", id="ru"),
    pytest.param(7770023, "en", "great service!", id="en"),
])
async def test_praise_is_thanked_and_the_rating_stays_awaited(client, channels_settings, telegram,
                                                              session_factory, user_id, language, praise) -> None:
    """Found by QA (F3): praise got the "no answer" fallback, counted as a failure, right after the agent closed."""
    request = await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id, language)
    reply = await _say(client, channels_settings, telegram, user_id, praise, language)
    assert reply["text"] == texts.text("csat_glad_ask", language)
    assert reply["reply_markup"] == request["reply_markup"]  # the rating buttons again
    (conversation,) = await _conversations(session_factory, user_id)
    assert (conversation.status, conversation.awaiting_csat, conversation.low_confidence_streak) == (
        "resolved", True, 0)

    await _say(client, channels_settings, telegram, user_id, "5", language)
    (conversation,) = await _conversations(session_factory, user_id)
    assert conversation.csat_score == 5


@pytest.mark.parametrize("user_id, language, thanks, typed, score", [
    pytest.param(7770031, "uk", "дякую!", "5", 5, id="uk"),
    pytest.param(7770032, "ru", "спасибо большое!", "1", 1, id="ru-unhappy"),
    pytest.param(7770033, "en", "thank you so much!", "4 stars", 4, id="en"),
    # Found by QA: "… again" got the fallback and a new conversation, so the rating went to that one.
    pytest.param(7770034, "uk", "дякую ще раз", "5", 5, id="uk-again"),
    pytest.param(7770035, "ru", "спасибо еще раз", "4", 4, id="ru-again"),
    pytest.param(7770036, "en", "thanks again", "5", 5, id="en-again"),
])
async def test_thanks_before_the_rating_keeps_it_awaited(client, channels_settings, telegram, session_factory,
                                                         user_id, language, thanks, typed, score) -> None:
    """Found by QA (F8): the thanks ended the wait, the "5" got the fallback and a "1" was queued for a person."""
    await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id, language)
    await _say(client, channels_settings, telegram, user_id, thanks, language)
    rated = await _say(client, channels_settings, telegram, user_id, typed, language)
    assert rated["text"] == texts.text("csat_thanks", language)
    (conversation,) = await _conversations(session_factory, user_id)  # no new conversation, no hand-off
    assert (conversation.status, conversation.csat_score) == ("resolved", score)


async def test_a_correction_after_a_press_and_thanks_replaces_the_rating(client, channels_settings, telegram,
                                                                        session_factory) -> None:
    """Found by QA (F8, ru): thanks, a press of 4, then "3, могло быть быстрее" got the fallback and a "1"
    after it was queued for a person."""
    user_id = 7770041
    request = await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id, "ru")
    await _say(client, channels_settings, telegram, user_id, "спасибо большое!", "ru")
    await _send(client, channels_settings, telegram, user_id, _press(request, 4, user_id))
    glad = await _say(client, channels_settings, telegram, user_id, "спасибо!", "ru")
    assert glad["text"] == texts.text("csat_glad", "ru")  # rated already: no buttons again
    for typed, score in (("3, могло быть быстрее", 3), ("1", 1)):
        thanks = await _say(client, channels_settings, telegram, user_id, typed, "ru")
        assert thanks["text"] == texts.text("csat_thanks", "ru")
        (conversation,) = await _conversations(session_factory, user_id)
        assert (conversation.status, conversation.csat_score) == ("resolved", score)


async def test_a_rating_typed_soon_after_the_wait_ended_rates_the_resolved_conversation(
        client, channels_settings, telegram, session_factory) -> None:
    """A message that ends the wait ("ок") does not lose the "5" typed right after it."""
    user_id = 7770051
    await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id)
    await _say(client, channels_settings, telegram, user_id, "ок")
    thanks = await _say(client, channels_settings, telegram, user_id, "5")
    assert thanks["text"] == texts.text("csat_thanks", "uk")
    resolved, begun_since = await _conversations(session_factory, user_id)
    assert (resolved.csat_score, begun_since.status) == (5, "bot")


async def test_a_rating_typed_long_after_the_resolve_is_a_new_message(client, channels_settings, telegram,
                                                                      session_factory) -> None:
    user_id = 7770052
    await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id)
    await _say(client, channels_settings, telegram, user_id, "ок")
    async with session_factory() as session, session.begin():
        await session.execute(update(Conversation).where(Conversation.chat_id == str(user_id),
                                                         Conversation.status == "resolved")
                              .values(resolved_at=utcnow() - timedelta(hours=1)))
    reply = await _say(client, channels_settings, telegram, user_id, "5")
    assert reply["text"] != texts.text("csat_thanks", "uk")
    resolved, _ = await _conversations(session_factory, user_id)
    assert resolved.csat_score is None


async def test_a_question_after_thanks_still_ends_the_wait(client, channels_settings, telegram,
                                                          session_factory) -> None:
    user_id = 7770053
    await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id)
    await _say(client, channels_settings, telegram, user_id, "дякую!")
    answer = await _say(client, channels_settings, telegram, user_id, "скільки коштує доставка?")
    assert "70" in answer["text"]
    resolved, asked = await _conversations(session_factory, user_id)
    assert (resolved.awaiting_csat, asked.status) == (False, "bot")


@pytest.mark.parametrize("user_id, language, thanks", [
    pytest.param(7770061, "uk", ["дякую!", "дуже дякую", "все супер"], id="uk"),
    pytest.param(7770062, "en", ["thanks!", "thank you so much!", "great service!"], id="en"),
])
async def test_repeated_thanks_show_the_rating_buttons_once_more_only(client, channels_settings, telegram,
                                                                     session_factory, user_id, language,
                                                                     thanks) -> None:
    """Found in support: each thanks in the rating window brought the buttons again, three thanks three sets."""
    request = await _resolved_by_an_agent(client, channels_settings, telegram, session_factory, user_id, language)
    replies = [await _say(client, channels_settings, telegram, user_id, text, language) for text in thanks]
    assert [r["text"] for r in replies] == [texts.text("csat_glad_ask", language),
                                            *[texts.text("csat_glad", language)] * 2]
    assert replies[0]["reply_markup"] == request["reply_markup"]
    assert [r.get("reply_markup") for r in replies[1:]] == [None, None]

    rated = await _say(client, channels_settings, telegram, user_id, "5", language)  # still counts
    assert rated["text"] == texts.text("csat_thanks", language)
    (conversation,) = await _conversations(session_factory, user_id)
    assert (conversation.status, conversation.csat_score) == ("resolved", 5)
    async with session_factory() as session:  # every thanks kept in the rated conversation for the agent
        stored = (await session.scalars(select(Message.text).where(Message.conversation_id == conversation.id,
                                                                   Message.direction == "in")
                                        .order_by(Message.id))).all()
    assert stored[-4:] == [*thanks, "5"]
