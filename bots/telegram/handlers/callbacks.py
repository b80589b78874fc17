"""Presses of the inline buttons under the bot's messages."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Update

from bots.flow import InboundFlow
from bots.telegram.convert import from_user

logger = logging.getLogger(__name__)


async def pressed(query: CallbackQuery, flow: InboundFlow, event_update: Update) -> None:
    """Store the press as kind "callback" (text = the button's data), then always answer it.

    Telegram shows a spinner on the button until answerCallbackQuery; answering is cosmetic, so a
    failure to answer is logged and never fails the update.
    """
    chat_id = query.message.chat.id if query.message else query.from_user.id
    payload = {"data": query.data, "callback_query_id": query.id}
    if query.message:
        payload["message_id"] = query.message.message_id
    try:
        await flow.process(from_user(query.from_user, chat_id=chat_id, update=event_update, kind="callback",
                                     text=query.data or "", payload=payload))
    finally:
        try:
            await query.answer()
        except TelegramAPIError as exc:
            logger.info("answerCallbackQuery %s failed: %s", query.id, exc)


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only, and each app builds its own)."""
    router = Router(name="callbacks")
    router.callback_query.register(pressed)
    return router
