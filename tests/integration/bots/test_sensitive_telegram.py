"""Legal threats, injuries and plain anger reach a person in Telegram with the product's default settings, end to
end (the demo knowledge base, the real NLU, the Bot API double); a word that merely contains a topic does not.

Found by QA: "мене обманули, хочу подати до суду на ваш магазин" got "try rephrasing", because no
sensitive topics were configured and there was no setting to configure them.
"""

import pytest
from sqlalchemy import select

from core.models import Conversation
from tests.support import telegram_payloads as tp
from tests.support.channels import eventually, post_telegram


async def _conversation_after(client, settings, telegram, session_factory, user_id: int, text: str,
                              language: str) -> Conversation:
    update = tp.text_update(text, user_id=user_id, language_code=language)
    assert (await post_telegram(client, settings, update)).status_code == 200
    await eventually(lambda: len(telegram.sent(user_id)) >= 1)
    async with session_factory() as session:
        return await session.scalar(select(Conversation).where(Conversation.chat_id == str(user_id)))


@pytest.mark.parametrize("user_id, text, language, reason", [
    pytest.param(7770001, "мене обманули, хочу подати до суду на ваш магазин", "uk", "sensitive_topic", id="uk-court"),
    pytest.param(7770002, "Если не вернёте деньги, обращусь в полицию", "ru", "sensitive_topic", id="ru-police"),
    pytest.param(7770003, "I will talk to my lawyer about this order", "en", "sensitive_topic", id="en-lawyer"),
    pytest.param(7770004, "блин ну сколько можно, уже неделю жду, бесит", "ru", "frustration", id="ru-anger"),
])
async def test_a_legal_threat_or_anger_goes_to_a_person(demo_kb_client, channels_settings, telegram, session_factory,
                                                        user_id, text, language, reason) -> None:
    conversation = await _conversation_after(demo_kb_client, channels_settings, telegram, session_factory, user_id,
                                             text, language)
    assert (conversation.status, conversation.handoff_reason) == ("queued", reason)


async def test_a_word_that_only_contains_a_topic_is_answered_by_the_bot(demo_kb_client, channels_settings, telegram,
                                                                      session_factory) -> None:
    # "посуд" (dishes) holds "суд" (court), "issue" holds "sue".
    for user_id, text in ((7770011, "Чи продаєте посуд?"), (7770012, "I have an issue with my password")):
        conversation = await _conversation_after(demo_kb_client, channels_settings, telegram, session_factory,
                                                 user_id, text, "uk" if user_id == 7770011 else "en")
        assert conversation.handoff_reason != "sensitive_topic"


async def test_an_injury_goes_to_a_person(demo_kb_client, channels_settings, telegram, session_factory) -> None:
    # Found by QA: "дитина порізалась об ваш товар" got the fallback ("write «оператор»").
    for user_id, text, language in ((7770021, "дитина порізалась об ваш товар", "uk"),
                                    (7770022, "ребенок обжёгся вашим утюгом", "ru"),
                                    (7770023, "my son cut himself on your product", "en")):
        conversation = await _conversation_after(demo_kb_client, channels_settings, telegram, session_factory,
                                                 user_id, text, language)
        assert (conversation.status, conversation.handoff_reason) == ("queued", "sensitive_topic"), text
