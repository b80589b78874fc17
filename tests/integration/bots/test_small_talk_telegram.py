"""Small talk in Telegram, end to end: the demo knowledge base, the real NLU and the Bot API double.

Regression: "Здрастуйте" got "I could not find an answer", a second greeting was handed to a person
as low confidence, "дякую!" after an agent resolved got the no-answer text, and all of them landed
in the editors' unanswered inbox. The same for "ок" / "зрозуміло" / "got it" after an answer and for
chatter ("яка погода в києві?", "а футбол дивишся?"): the second one queued the shopper (QA F1, F14).
A bare "ні" / "не то" got a confident, unrelated article (QA F15).
"""

from functools import partial

import pytest
from sqlalchemy import func, select

from bots.steps.answer import DID_YOU_MEAN, FALLBACK, OFF_TOPIC, WELCOME
from bots.steps.handoff import HANDOFF_BUTTON
from bots.steps.small_talk import ANYTHING_ELSE, YOU_ARE_WELCOME
from core.models import Conversation
from handoff import flows, texts
from handoff.state import SYSTEM, Outcome
from knowledge_base.models import UnansweredQuestion
from tests.support.channels import eventually, stored_messages
from tests.support.telegram_talk import latest_conversation, say_on_telegram


@pytest.fixture
def client(demo_kb_client):
    """The app with the product's own flow and NLU over the demo knowledge base."""
    return demo_kb_client


async def _unanswered(session_factory) -> int:
    async with session_factory() as session:
        return await session.scalar(select(func.count(UnansweredQuestion.id)))


@pytest.mark.parametrize("user_id, first, second, thanks, language", [
    pytest.param(6660001, "Здрастуйте", "Привіт!", "дякую!", "uk", id="uk"),
    pytest.param(6660002, "Добрый день", "здравствуйте", "Спасибо большое", "ru", id="ru"),
    pytest.param(6660003, "Hello", "good morning", "thank you!", "en", id="en"),
])
async def test_greetings_get_the_welcome_and_thanks_a_reply_and_nothing_counts_as_unanswered(
        client, channels_settings, telegram, session_factory, user_id, first, second, thanks, language) -> None:
    say = partial(say_on_telegram, client, channels_settings, telegram, user_id, language=language)
    assert (await say(first))["text"] == WELCOME[language]
    assert (await say(second))["text"] == WELCOME[language]
    assert (await say(thanks))["text"] == YOU_ARE_WELCOME[language]
    conversation = await latest_conversation(session_factory, user_id)
    assert (conversation.status, conversation.low_confidence_streak, conversation.language) == ("bot", 0, language)
    assert await _unanswered(session_factory) == 0


async def test_a_greeting_with_a_question_is_answered_from_the_knowledge_base(
        client, channels_settings, telegram, session_factory) -> None:
    await say_on_telegram(client, channels_settings, telegram, 6660004, "Привіт, скільки коштує доставка?", "uk")
    decision = (await stored_messages(session_factory, "out"))[-1].payload["decision"]
    assert (decision["action"], decision["article_id"]) == ("answer", "delivery-cost")


async def test_thanks_after_an_agent_resolved_keeps_the_rating_awaited(
        client, channels_settings, telegram, session_factory) -> None:
    user_id = 6660005
    await say_on_telegram(client, channels_settings, telegram, user_id, "покличте оператора", "uk")
    queued = await latest_conversation(session_factory, user_id)
    assert queued.status == "queued"
    async with session_factory() as session, session.begin():
        conversation = await session.get(Conversation, queued.id)
        outcome = Outcome()
        await flows.resolve(session, conversation, actor=SYSTEM, language="uk", outcome=outcome)
        await flows.send_notices(session, conversation, outcome)
    await eventually(lambda: len(telegram.sent(user_id)) == 2)  # the rating request

    reply = await say_on_telegram(client, channels_settings, telegram, user_id, "дякую!", "uk")
    assert reply["text"] == texts.text("csat_glad_ask", "uk")
    # Most shoppers thank the agent before they rate (QA F8): the thanks stays in the resolved
    # conversation, which is not reopened and still awaits its rating.
    conversation = await latest_conversation(session_factory, user_id)
    assert (conversation.id, conversation.status, conversation.awaiting_csat) == (queued.id, "resolved", True)
    assert await _unanswered(session_factory) == 0


def _button_data(sent: dict) -> list[str]:
    return [button["callback_data"] for row in (sent.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row]


async def _last_decision(session_factory) -> dict:
    return (await stored_messages(session_factory, "out"))[-1].payload["decision"]


@pytest.mark.parametrize("user_id, question, acknowledgements, language", [
    pytest.param(6660011, "доставка?", ("ок", "зрозуміло", "ясно", "добре"), "uk", id="uk"),
    pytest.param(6660012, "сколько стоит доставка?", ("ок, понял", "ок", "понятно"), "ru", id="ru"),
    pytest.param(6660013, "how much is delivery", ("got it", "ok", "lol ok"), "en", id="en"),
])
async def test_acknowledgements_after_an_answer_get_anything_else_and_never_a_hand_off(
        client, channels_settings, telegram, session_factory, user_id, question, acknowledgements, language) -> None:
    say = partial(say_on_telegram, client, channels_settings, telegram, user_id, language=language)
    await say(question)
    assert (await _last_decision(session_factory))["article_id"] == "delivery-cost"
    for acknowledgement in acknowledgements:
        assert (await say(acknowledgement))["text"] == ANYTHING_ELSE[language], acknowledgement
    assert (await say("cool thanks" if language == "en" else "ок, дякую" if language == "uk" else "ок, спасибо")
            )["text"] == YOU_ARE_WELCOME[language]
    conversation = await latest_conversation(session_factory, user_id)
    assert (conversation.status, conversation.low_confidence_streak) == ("bot", 0)
    assert await _unanswered(session_factory) == 0


@pytest.mark.parametrize("user_id, first, second, language", [
    pytest.param(6660021, "яка погода в києві?", "а футбол дивишся?", "uk", id="uk"),
    pytest.param(6660022, "какая погода в Москве?", "ты смотришь футбол?", "ru", id="ru"),
    pytest.param(6660023, "what's the weather in Lviv?", "what's the weather in Lviv tomorrow?", "en", id="en"),
])
async def test_chatter_gets_what_the_bot_is_for_and_two_of_them_do_not_queue_the_shopper(
        client, channels_settings, telegram, session_factory, user_id, first, second, language) -> None:
    say = partial(say_on_telegram, client, channels_settings, telegram, user_id, language=language)
    for text in (first, second):
        assert (await say(text))["text"] == OFF_TOPIC[language], text
        assert (await _last_decision(session_factory))["reason"] == "chatter"
    conversation = await latest_conversation(session_factory, user_id)
    assert (conversation.status, conversation.low_confidence_streak) == ("bot", 0)
    assert await _unanswered(session_factory) == 0


@pytest.mark.parametrize("user_id, questions, language", [
    pytest.param(6660031, ("чи можна замовити ремонт взуття?",) * 2, "uk", id="uk"),
    pytest.param(6660032, ("how do I become your supplier of fabric?", "can you repair my zipper?"), "en", id="en"),
])
async def test_two_unanswered_shop_questions_in_a_row_still_go_to_a_person_chatter_or_ok_between_or_not(
        client, channels_settings, telegram, session_factory, user_id, questions, language) -> None:
    say = partial(say_on_telegram, client, channels_settings, telegram, user_id, language=language)
    assert (await say(questions[0]))["text"] == FALLBACK[language]
    # Chatter and an "ok" between them neither count nor forgive the failure.
    await say("lol ok" if language == "en" else "ок")
    await say("what's the weather in Lviv?" if language == "en" else "яка погода в києві?")
    assert (await latest_conversation(session_factory, user_id)).low_confidence_streak == 1
    await say(questions[1])
    conversation = await latest_conversation(session_factory, user_id)
    assert conversation.status == "queued"
    assert await _unanswered(session_factory) == 2


@pytest.mark.parametrize("user_id, text, language", [
    pytest.param(6660041, "ні", "uk", id="uk-no"),
    pytest.param(6660042, "не це", "uk", id="uk-not-this"),
    pytest.param(6660043, "ні, не те", "uk", id="uk-no-not-that"),
    pytest.param(6660044, "нет", "ru", id="ru-no"),
    pytest.param(6660045, "не то", "ru", id="ru-not-that"),
    pytest.param(6660046, "no, that's not it", "en", id="en"),
])
async def test_a_bare_no_is_never_answered_with_an_article(
        client, channels_settings, telegram, session_factory, user_id, text, language) -> None:
    sent = await say_on_telegram(client, channels_settings, telegram, user_id, text, language)
    assert sent["text"] == FALLBACK[language]
    assert _button_data(sent) == [HANDOFF_BUTTON]
    assert (await _last_decision(session_factory))["action"] == "fallback"
    conversation = await latest_conversation(session_factory, user_id)
    assert (conversation.status, conversation.language) == ("bot", language)


@pytest.mark.parametrize("user_id, question, no, language", [
    pytest.param(6660051, "доставка?", "не то", "uk", id="uk"),
    pytest.param(6660052, "сколько стоит доставка?", "нет, не то", "ru", id="ru"),
    pytest.param(6660053, "how much is delivery", "no, that's not it", "en", id="en"),
])
async def test_no_after_an_answer_offers_the_answers_neighbours_and_a_person(
        client, channels_settings, telegram, session_factory, user_id, question, no, language) -> None:
    say = partial(say_on_telegram, client, channels_settings, telegram, user_id, language=language)
    await say(question)
    sent = await say(no)
    assert sent["text"] == DID_YOU_MEAN[language]
    offered = _button_data(sent)
    assert offered[-1] == HANDOFF_BUTTON
    # The cost question's runners-up; delivery time among them, the rejected cost answer not.
    assert "kb:delivery-time" in offered[:-1]
    assert "kb:delivery-cost" not in offered
    conversation = await latest_conversation(session_factory, user_id)
    assert (conversation.status, conversation.low_confidence_streak) == ("bot", 0)
    assert await _unanswered(session_factory) == 0


async def test_an_angry_no_and_a_request_for_a_person_still_go_to_a_person(
        client, channels_settings, telegram, session_factory) -> None:
    user_id = 6660061
    await say_on_telegram(client, channels_settings, telegram, user_id, "оператор", "uk")
    assert (await latest_conversation(session_factory, user_id)).status == "queued"
    await say_on_telegram(client, channels_settings, telegram, 6660062, "НЕТ, НЕ ТО!!!", "ru")
    conversation = await latest_conversation(session_factory, 6660062)
    assert conversation.status == "queued"
