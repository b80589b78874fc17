"""Edited messages: stored as a new timeline entry so agents see what changed."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message, Update

from bots.flow import InboundFlow
from bots.telegram.convert import from_message


async def edited(message: Message, flow: InboundFlow, event_update: Update) -> None:
    """Kind "edited" with the new text; ``payload["message_id"]`` names the edited message."""
    await flow.process(from_message(message, event_update, kind="edited", text=message.text or message.caption or "",
                                    payload={"edit_date": message.edit_date}))


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only, and each app builds its own)."""
    router = Router(name="edited")
    router.edited_message.register(edited)
    return router
