"""``/start``, with the deep-link payload (t.me/<bot>?start=<payload>) when there is one."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message, Update

from bots.flow import InboundFlow
from bots.telegram.convert import from_message


async def start(message: Message, command: CommandObject, flow: InboundFlow, event_update: Update) -> None:
    """Store the start; the payload goes to ``payload["start"]`` for identity linking."""
    payload = {"start": command.args} if command.args else {}
    await flow.process(from_message(message, event_update, kind="start", text=message.text, payload=payload))


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only, and each app builds its own)."""
    router = Router(name="start")
    router.message.register(start, CommandStart())
    return router
