"""Writing messages for the shopper: an outgoing Message and its OutboxItem, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Conversation, Message, OutboxItem


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

    Args:
        payload: what the messenger sends: ``{"text", "keyboard", "buttons"}``.
        author: "bot", "agent" or "system".
        meta: extra facts stored on the message only (e.g. the NLU decision), never sent.
    """
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
