"""On unmerge, what the merged-away person produced while merged goes back with them.

While two records are merged, the merged-away person's identities keep writing as the survivor:
their messages land in whatever conversation is the survivor's current one, they may open new
conversations, notifications reach their chats, and the shop keeps pushing orders for their shop
account (whose id the survivor holds). None of that is in the merge's audit record.

A message belongs to the person whose chat it came from or went to (``Message.channel`` and
``chat_id`` against the identities' chats); a conversation to the person whose chat its first
message came from or went to; a notification to the person its latest attempt was addressed to.
These rules need no record of when the merge happened, so they also serve merges audited before
unmerge looked after them. Orders carry no chat: those the shop pushed after the merge go back when
the shop account goes back (the survivor had none of its own before the merge, so every order
pushed since is that account's), recognised by the last order id the merge recorded.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.models import Notification, NotificationAttempt
from core.models import Conversation, Identity, Message, Order

Chat = tuple[str, str]  # (channel, chat_id): where an identity writes from and is written to


async def give_back(session: AsyncSession, *, source_id: int, target_id: int, identity_ids: list[int],
                    recorded_conversation_ids: list[int], orders_after: int | None) -> dict:
    """Move to ``source_id`` what its identities (already moved back) produced under ``target_id``.

    Args:
        identity_ids: the identities going back with the source (the merge record's).
        recorded_conversation_ids: the conversations the merge moved (already moved back).
        orders_after: the last order id at the merge when the shop account goes back with the source;
            None when it stays (the survivor's orders are then its own) or the merge did not record it.

    Returns:
        What moved besides the merge record's rows, for the unmerge audit record.
    """
    leaving = await _chats(session, Identity.id.in_(identity_ids))
    staying = await _chats(session, Identity.customer_id == target_id)
    opened = await _opened_from(session, target_id, leaving)
    if opened:
        await session.execute(update(Conversation).where(Conversation.id.in_(opened)).values(customer_id=source_id))
    messages = await _give_back_messages(session, source_id, target_id, leaving, staying,
                                         [*recorded_conversation_ids, *opened])
    notifications = await _sent_to(session, target_id, leaving)
    if notifications:
        await session.execute(update(Notification).where(Notification.id.in_(notifications))
                              .values(customer_id=source_id))
    orders = []
    if orders_after is not None:
        orders = list((await session.scalars(select(Order.id).where(Order.customer_id == target_id,
                                                                    Order.id > orders_after))).all())
    if orders:
        await session.execute(update(Order).where(Order.id.in_(orders)).values(customer_id=source_id))
    await _readdress(session, source_id, own=leaving, other=staying)
    await _readdress(session, target_id, own=staying, other=leaving)
    return {"conversations": opened, "messages": messages, "notifications": notifications, "orders": orders}


async def _chats(session: AsyncSession, which: ColumnElement[bool]) -> list[Chat]:
    """The chats of the identities ``which`` selects, the one seen last first."""
    rows = (await session.execute(
        select(Identity.channel, Identity.chat_id).where(which, Identity.chat_id.is_not(None))
        .order_by(Identity.last_seen_at.desc().nulls_last(), Identity.id.desc())
    )).all()
    return [(channel, chat_id) for channel, chat_id in rows]


def _in_chats(channel: ColumnElement[str], chat_id: ColumnElement[str | None], chats: list[Chat]
              ) -> ColumnElement[bool]:
    """Rows addressed from or to one of ``chats`` (a person has a handful, so a plain OR)."""
    if not chats:
        return false()
    return or_(*(and_(channel == chat_channel, chat_id == chat) for chat_channel, chat in chats))


async def _opened_from(session: AsyncSession, target_id: int, leaving: list[Chat]) -> list[int]:
    """The survivor's conversations whose first message came from or went to a leaving chat."""
    firsts = (select(func.min(Message.id)).join(Conversation, Conversation.id == Message.conversation_id)
              .where(Conversation.customer_id == target_id).group_by(Message.conversation_id))
    return sorted((await session.scalars(
        select(Message.conversation_id).where(Message.id.in_(firsts), _in_chats(Message.channel, Message.chat_id,
                                                                                  leaving))
    )).all())


async def _give_back_messages(session: AsyncSession, source_id: int, target_id: int, leaving: list[Chat],
                              staying: list[Chat], conversation_ids: list[int]) -> int:
    """Give the source its messages wherever they are, and the rest of its conversations' messages
    except the survivor's own; returns how many moved."""
    # Messages stay in their conversation (moving one out would break the thread agents read); the
    # timelines of the console and the customer card follow Message.customer_id.
    theirs = await session.execute(
        update(Message).where(Message.customer_id == target_id, _in_chats(Message.channel, Message.chat_id, leaving))
        .values(customer_id=source_id))
    moved = theirs.rowcount
    if conversation_ids:
        # Bot and system messages without a chat belong to the conversation's owner.
        not_survivors = or_(Message.chat_id.is_(None), ~_in_chats(Message.channel, Message.chat_id, staying))
        rest = await session.execute(
            update(Message).where(Message.customer_id == target_id, Message.conversation_id.in_(conversation_ids),
                                  not_survivors)
            .values(customer_id=source_id))
        moved += rest.rowcount
    return moved


async def _sent_to(session: AsyncSession, target_id: int, leaving: list[Chat]) -> list[int]:
    """The survivor's notifications whose latest attempt was addressed to a leaving chat."""
    latest = (select(func.max(NotificationAttempt.id))
              .join(Notification, Notification.id == NotificationAttempt.notification_id)
              .where(Notification.customer_id == target_id).group_by(NotificationAttempt.notification_id))
    return sorted((await session.scalars(
        select(NotificationAttempt.notification_id).where(
            NotificationAttempt.id.in_(latest),
            _in_chats(NotificationAttempt.channel, NotificationAttempt.chat_id, leaving))
    )).all())


async def _readdress(session: AsyncSession, customer_id: int, *, own: list[Chat], other: list[Chat]) -> None:
    """Point the customer's conversations that reply to the other person's chat back at one of their own.

    A conversation replies to the chat that wrote last, which may be the other person's; agents'
    replies must not reach them. The chat of the customer's latest message in the conversation is
    taken, else the chat the customer was seen on last.
    """
    conversations = (await session.scalars(select(Conversation).where(
        Conversation.customer_id == customer_id, _in_chats(Conversation.channel, Conversation.chat_id, other)
    ))).all()
    for conversation in conversations:
        latest = (await session.execute(
            select(Message.channel, Message.chat_id).where(
                Message.conversation_id == conversation.id, Message.customer_id == customer_id,
                _in_chats(Message.channel, Message.chat_id, own))
            .order_by(Message.id.desc()).limit(1)
        )).first()
        chat = tuple(latest) if latest else (own[0] if own else None)
        # Without a chat of the customer's own (erased identities) there is no better address.
        if chat is not None:
            conversation.channel, conversation.chat_id = chat
    await session.flush()
