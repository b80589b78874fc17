"""The answer language in Telegram, end to end: the demo knowledge base, the real NLU and the Bot API double.

Regressions (QA): words Ukrainian and Russian share ("доставка?", "оператор") were answered in Russian
when Telegram's ``language_code`` was "en" or absent, although the shop's default language is Ukrainian;
after one Russian message, "дякую" and "Привіт" were answered in Russian, and "дякую, Тарасе!" written to
an agent made the rating question Russian.
"""

from functools import partial

import pytest

from bots.steps.answer import WELCOME
from bots.steps.small_talk import YOU_ARE_WELCOME
from core.models import Conversation
from handoff import texts
from tests.support import telegram_payloads as tp
from tests.support.channels import eventually, post_telegram, stored_messages
from tests.support.handoff import make_agent, token_for
from tests.support.telegram_talk import latest_conversation, say_on_telegram


@pytest.fixture
def client(demo_kb_client):
    """The app with the product's own flow and NLU over the demo knowledge base."""
    return demo_kb_client


async def _answer_language(session_factory) -> str:
    """The language of the NLU's decision behind the latest reply."""
    return (await stored_messages(session_factory, "out"))[-1].payload["decision"]["language"]


def _queued(reply: dict, language: str) -> bool:
    return reply["text"].startswith(texts.text("queued", language, position=0, minutes=0).split(" — ")[0])


@pytest.mark.parametrize("user_id, hint", [
    pytest.param(6670001, "en", id="telegram-in-english"),
    pytest.param(6670002, None, id="no-language-code"),
    pytest.param(6670003, "uk", id="telegram-in-ukrainian"),
])
async def test_a_shared_word_is_answered_in_the_default_ukrainian_unless_telegram_says_russian(
        client, channels_settings, telegram, session_factory, user_id, hint) -> None:
    say = partial(say_on_telegram, client, channels_settings, telegram, user_id, language=hint)
    await say("доставка?")
    assert await _answer_language(session_factory) == "uk"
    assert _queued(await say("оператор"), "uk")
    assert (await latest_conversation(session_factory, user_id)).language == "uk"


async def test_a_shared_word_follows_a_russian_telegram(client, channels_settings, telegram, session_factory) -> None:
    say = partial(say_on_telegram, client, channels_settings, telegram, 6670004, language="ru")
    await say("доставка?")
    assert await _answer_language(session_factory) == "ru"
    assert _queued(await say("оператор"), "ru")


@pytest.mark.parametrize("user_id, hint", [
    pytest.param(6670011, "en", id="telegram-in-english"),
    pytest.param(6670012, None, id="no-language-code"),
])
async def test_a_shared_word_keeps_the_russian_the_shopper_wrote_in(
        client, channels_settings, telegram, session_factory, user_id, hint) -> None:
    # One ambiguous word never flips the conversation: after a Russian question it stays Russian.
    say = partial(say_on_telegram, client, channels_settings, telegram, user_id, language=hint)
    await say("сколько стоит доставка")
    assert await _answer_language(session_factory) == "ru"
    await say("доставка?")
    assert await _answer_language(session_factory) == "ru"
    assert _queued(await say("оператор"), "ru")


@pytest.mark.parametrize("user_id, hint", [
    pytest.param(6670021, "uk", id="telegram-in-ukrainian"),
    pytest.param(6670022, "ru", id="telegram-in-russian"),
    pytest.param(6670023, "en", id="telegram-in-english"),
    pytest.param(6670024, None, id="no-language-code"),
])
async def test_ukrainian_thanks_and_greetings_after_russian_are_answered_in_ukrainian(
        client, channels_settings, telegram, session_factory, user_id, hint) -> None:
    say = partial(say_on_telegram, client, channels_settings, telegram, user_id, language=hint)
    await say("сколько стоит доставка")
    assert await _answer_language(session_factory) == "ru"
    assert (await say("дякую"))["text"] == YOU_ARE_WELCOME["uk"]
    assert (await say("спасибо"))["text"] == YOU_ARE_WELCOME["ru"]
    assert (await say("Привіт"))["text"] == WELCOME["uk"]
    # The conversation is Ukrainian now: a shared word stays so.
    await say("доставка?")
    assert await _answer_language(session_factory) == "uk"
    assert (await latest_conversation(session_factory, user_id)).language == "uk"


@pytest.mark.parametrize("user_id, hint, first", [
    pytest.param(6670031, "ru", "How much is delivery?", id="en-then-ru-hint"),
    pytest.param(6670032, "uk", "сколько стоит доставка", id="ru-then-uk-hint"),
])
async def test_very_thankful_ukrainian_after_russian_thanks(
        client, channels_settings, telegram, session_factory, user_id, hint, first) -> None:
    say = partial(say_on_telegram, client, channels_settings, telegram, user_id, language=hint)
    await say(first)
    assert (await say("спасибо"))["text"] == YOU_ARE_WELCOME["ru"]
    assert (await say("дуже дякую"))["text"] == YOU_ARE_WELCOME["uk"]
    assert (await say("Привет"))["text"] == WELCOME["ru"]
    assert (await say("ок дякую"))["text"] == YOU_ARE_WELCOME["uk"]


async def test_russian_words_after_ukrainian_are_answered_in_russian(
        client, channels_settings, telegram, session_factory) -> None:
    say = partial(say_on_telegram, client, channels_settings, telegram, 6670041, language="uk")
    await say("скільки коштує доставка в Київ")
    assert await _answer_language(session_factory) == "uk"
    assert (await say("Привет"))["text"] == WELCOME["ru"]
    assert (await say("дякую"))["text"] == YOU_ARE_WELCOME["uk"]
    assert (await say("спасибо"))["text"] == YOU_ARE_WELCOME["ru"]


async def test_ukrainian_thanks_to_the_agent_makes_the_rating_question_ukrainian(
        client, channels_settings, telegram, session_factory) -> None:
    user_id = 6670051
    say = partial(say_on_telegram, client, channels_settings, telegram, user_id, language="en")
    assert _queued(await say("I want to talk to a person"), "en")
    queued = await latest_conversation(session_factory, user_id)
    # While a person holds the conversation the bot says nothing, yet keeps the language written in.
    update = tp.text_update("дякую, Тарасе!", user_id=user_id, language_code="en")
    assert (await post_telegram(client, channels_settings, update)).status_code == 200
    await eventually(lambda: _stored_language(session_factory, queued.id, "uk"))
    agent = await token_for(session_factory, await make_agent(session_factory, "taras@shop.test", status="online"))
    base = f"/api/conversations/{queued.id}"
    assert (await client.post(f"{base}/assign", headers=agent)).status_code == 200
    assert (await client.post(f"{base}/resolve", headers=agent)).status_code == 200
    await eventually(lambda: telegram.sent(user_id)[-1]["text"] == texts.text("csat_question", "uk"))


async def _stored_language(session_factory, conversation_id: int, language: str) -> bool:
    async with session_factory() as session:
        return (await session.get(Conversation, conversation_id)).language == language
