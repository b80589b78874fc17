"""Shared contacts (the request_contact keyboard, or any contact card the shopper forwards)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message, Update

from bots.flow import InboundFlow
from bots.normalize import e164
from bots.telegram.convert import from_message


async def contact(message: Message, flow: InboundFlow, event_update: Update) -> None:
    """A contact counts as the shopper's own number only when Telegram says it is theirs.

    The request_contact button shares the user's own contact with ``user_id == from.id``; a
    forwarded contact card of someone else must never link this chat to that person's account,
    so ``phone`` is set only in the first case and the raw contact is kept in the payload.
    """
    shared = message.contact
    own = shared.user_id is not None and shared.user_id == message.from_user.id
    raw = shared.model_dump(exclude_none=True)
    await flow.process(from_message(message, event_update, kind="contact", text=shared.phone_number,
                                    payload={"contact": raw, "own": own},
                                    phone=e164(shared.phone_number) if own else None))


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only, and each app builds its own)."""
    router = Router(name="contact")
    router.message.register(contact, F.contact)
    return router
