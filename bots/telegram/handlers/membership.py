"""The shopper blocked or unblocked the bot (``my_chat_member`` in their private chat)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import ChatMemberUpdated

from bots.flow import InboundFlow
from bots.outbox_store import set_subscribed
from bots.telegram.convert import CHANNEL


async def membership_changed(event: ChatMemberUpdated, flow: InboundFlow) -> None:
    """Follow the block in ``Identity.subscribed`` so agents see why messages stop arriving."""
    subscribed = event.new_chat_member.status not in (ChatMemberStatus.KICKED, ChatMemberStatus.LEFT)
    async with flow.session_factory() as session, session.begin():
        await set_subscribed(session, channel=CHANNEL, chat_id=str(event.chat.id), subscribed=subscribed)


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only, and each app builds its own)."""
    router = Router(name="membership")
    router.my_chat_member.register(membership_changed, F.chat.type == ChatType.PRIVATE)
    return router
