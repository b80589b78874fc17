"""Greetings and thanks in Telegram, end to end: the demo knowledge base, the real NLU and the Bot API double.

Regression: "Здрастуйте" got "I could not find an answer", a second greeting was handed to a person
as low confidence, "дякую!" after an agent resolved got the no-answer text, and all of them landed
in the editors' unanswered inbox.
"""

from functools import partial

import pytest
from sqlalchemy import func, select

from bots.steps.answer import WELCOME
from bots.steps.small_talk import YOU_ARE_WELCOME
from core.models import Conversation
from handoff import flows, texts
from handoff.state import SYSTEM, Outcome
from knowledge_base.models import UnansweredQuestion
from tests.support import telegram_payloads as tp
from tests.support.channels import eventually, post_telegram, stored_messages


@pytest.fixture
def client(demo_kb_client):
    """The app with the product's own flow and NLU over the demo knowledge base."""
    return demo_kb_client


async def _say(client, settings, telegram, user_id: int, text: str, language: str) -> dict:
    """Send ``text`` as ``user_id`` and return what the bot sent back (one message)."""
    before = len(telegram.sent(user_id))
    update = tp.text_update(text, user_id=user_id, language_code=language)
    assert (await post_telegram(client, settings, update)).status_code == 200
    await eventually(lambda: len(telegram.sent(user_id)) == before + 1)
    return telegram.sent(user_id)[-1]


async def _conversation(session_factory, user_id: int) -> Conversation:
    async with session_factory() as session:
        return await session.scalar(select(Conversation).where(Conversation.chat_id == str(user_id))
                                    .order_by(Conversation.id.desc()).limit(1))


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
    say = partial(_say, client, channels_settings, telegram, user_id, language=language)
    assert (await say(first))["text"] == WELCOME[language]
    assert (await say(second))["text"] == WELCOME[language]
    assert (await say(thanks))["text"] == YOU_ARE_WELCOME[language]
    conversation = await _conversation(session_factory, user_id)
    assert (conversation.status, conversation.low_confidence_streak, conversation.language) == ("bot", 0, language)
    assert await _unanswered(session_factory) == 0


async def test_a_greeting_with_a_question_is_answered_from_the_knowledge_base(
        client, channels_settings, telegram, session_factory) -> None:
    await _say(client, channels_settings, telegram, 6660004, "Привіт, скільки коштує доставка?", "uk")
    decision = (await stored_messages(session_factory, "out"))[-1].payload["decision"]
    assert (decision["action"], decision["article_id"]) == ("answer", "delivery-cost")


async def test_thanks_after_an_agent_resolved_keeps_the_rating_awaited(
        client, channels_settings, telegram, session_factory) -> None:
    user_id = 6660005
    await _say(client, channels_settings, telegram, user_id, "покличте оператора", "uk")
    queued = await _conversation(session_factory, user_id)
    assert queued.status == "queued"
    async with session_factory() as session, session.begin():
        conversation = await session.get(Conversation, queued.id)
        outcome = Outcome()
        await flows.resolve(session, conversation, actor=SYSTEM, language="uk", outcome=outcome)
        await flows.send_notices(session, conversation, outcome)
    await eventually(lambda: len(telegram.sent(user_id)) == 2)  # the rating request

    reply = await _say(client, channels_settings, telegram, user_id, "дякую!", "uk")
    assert reply["text"] == texts.text("csat_glad_ask", "uk")
    # Most shoppers thank the agent before they rate (QA F8): the thanks stays in the resolved
    # conversation, which is not reopened and still awaits its rating.
    conversation = await _conversation(session_factory, user_id)
    assert (conversation.id, conversation.status, conversation.awaiting_csat) == (queued.id, "resolved", True)
    assert await _unanswered(session_factory) == 0
