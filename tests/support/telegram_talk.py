"""Talking to the bot over the Telegram webhook in tests: a shopper's message in, the bot's reply out."""

from sqlalchemy import select

from core.models import Conversation
from tests.support import telegram_payloads as tp
from tests.support.channels import eventually, post_telegram


async def say_on_telegram(client, settings, telegram, user_id: int, text: str, language: str | None) -> dict:
    """Send ``text`` as ``user_id`` with Telegram's ``language_code`` and return the bot's one reply."""
    before = len(telegram.sent(user_id))
    update = tp.text_update(text, user_id=user_id, language_code=language)
    assert (await post_telegram(client, settings, update)).status_code == 200
    await eventually(lambda: len(telegram.sent(user_id)) == before + 1)
    return telegram.sent(user_id)[-1]


async def latest_conversation(session_factory, user_id: int) -> Conversation:
    """The latest conversation of the Telegram user ``user_id``."""
    async with session_factory() as session:
        return await session.scalar(select(Conversation).where(Conversation.chat_id == str(user_id))
                                    .order_by(Conversation.id.desc()).limit(1))
