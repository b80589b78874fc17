"""The catch-all, registered last: any other message (dice, polls, games...) is stored as "unsupported"."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message, Update

from bots.flow import InboundFlow
from bots.telegram.convert import from_message


async def unsupported(message: Message, flow: InboundFlow, event_update: Update) -> None:
    """Keep the message type so agents know what arrived; the media step answers the shopper."""
    await flow.process(from_message(message, event_update, kind="unsupported",
                                    payload={"content_type": message.content_type.value}))


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only, and each app builds its own)."""
    router = Router(name="fallback")
    router.message.register(unsupported)
    return router
