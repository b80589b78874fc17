"""Writing messages for the shopper: an outgoing Message and its OutboxItem, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Conversation, Identity, Message, OutboxItem


async def queue_outgoing(
    session: AsyncSession,
    conversation: Conversation,
    *,
    payload: dict,
    author: str,
    author_id: int | None = None,
    meta: dict | None = None,
) -> Message:
    """Store a message for the shopper and queue it for delivery on the conversation's channel.

    When the shopper has blocked or unsubscribed from that messenger, the conversation moves to the
    messenger they last wrote from among those that still take messages (an agent's reply is not
    sent where it is known to be lost); with none left, it stays and the delivery fails visibly.

    Args:
        payload: what the messenger sends: ``{"text", "keyboard", "buttons"}``.
        author: "bot", "agent" or "system".
        meta: extra facts stored on the message only (e.g. the NLU decision), never sent.
    """
    await _leave_unreachable_chat(session, conversation)
    message = Message(
        conversation_id=conversation.id, customer_id=conversation.customer_id, direction="out",
        author=author, author_id=author_id, channel=conversation.channel, chat_id=conversation.chat_id,
        kind="text", text=payload.get("text", ""), payload={**payload, **(meta or {})},
        delivery_status="pending",
    )
    session.add(message)
    await session.flush()
    session.add(OutboxItem(message_id=message.id, channel=conversation.channel, chat_id=conversation.chat_id,
                           payload=payload))
    await session.flush()
    return message


async def reachable_identities(session: AsyncSession, customer_id: int) -> list[Identity]:
    """The customer's identities that can be written to, the one they last wrote from first."""
    identities = (await session.scalars(
        select(Identity).where(Identity.customer_id == customer_id, Identity.chat_id.is_not(None),
                               Identity.subscribed.is_(True))
    )).all()
    return sorted(identities, key=lambda i: (i.last_seen_at is not None, i.last_seen_at, i.id), reverse=True)


async def chat_is_blocked(session: AsyncSession, customer_id: int, channel: str, chat_id: str | None) -> bool:
    """Whether the customer blocked the bot or unsubscribed in that chat (it takes no messages)."""
    return await session.scalar(select(Identity.id).where(
        Identity.customer_id == customer_id, Identity.channel == channel, Identity.chat_id == chat_id,
        Identity.subscribed.is_(False)).limit(1)) is not None


async def _leave_unreachable_chat(session: AsyncSession, conversation: Conversation) -> None:
    if not await chat_is_blocked(session, conversation.customer_id, conversation.channel, conversation.chat_id):
        return
    reachable = await reachable_identities(session, conversation.customer_id)
    if reachable:
        conversation.channel, conversation.chat_id = reachable[0].channel, reachable[0].chat_id
