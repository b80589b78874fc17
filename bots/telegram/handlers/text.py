"""Plain text messages."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message, Update

from bots.flow import InboundFlow
from bots.telegram.convert import from_message


async def text(message: Message, flow: InboundFlow, event_update: Update) -> None:
    """What the shopper wrote goes through the flow as kind "text"."""
    await flow.process(from_message(message, event_update, kind="text", text=message.text))


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only, and each app builds its own)."""
    router = Router(name="text")
    router.message.register(text, F.text)
    return router
