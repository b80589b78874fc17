"""The outbox rows' state changes: claim the head of each chat, record sent / retry / dead.

Claiming is what keeps delivery in order and exactly-once-ish across processes:
  * only the oldest open item (pending or sending) of each (channel, chat) is ever claimed, so item
    N+1 of a chat waits until N is sent or dead;
  * a claim sets status "sending" with a lock that expires: an item claimed by a process that died
    is claimed again once ``locked_until`` has passed;
  * on PostgreSQL the candidate rows are read ``FOR UPDATE SKIP LOCKED`` so concurrent workers
    never wait on each other nor take the same row; every claim is also a compare-and-set on
    ``attempts``, which is what makes two processes on one SQLite file safe (SQLite serialises writers).

Receipts (Viber ``delivered`` / ``seen`` / ``failed``) find the message by the id a send returned:
every part of a message split into several has its own (:class:`core.models.MessagePart`), and
the message's status follows from its parts' (:func:`message_status`). Viber can call back before
the sender has stored the ids: such a receipt is kept and applied by :func:`mark_sent` in the
transaction that stores them. The two transactions take one lock per (channel, id)
(:func:`core.database.serialize`), so whichever commits second sees the other's write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from core.database import serialize, try_serialize, utcnow
from core.models import Identity, Message, MessagePart, OutboxItem, PendingReceipt

OPEN_STATUSES = ("pending", "sending")
# Receipts only move a message forward: a late "delivered" must not undo "seen".
STATUS_RANK = {"pending": 0, "sent": 1, "delivered": 2, "seen": 3, "failed": 4, "dead": 4}
# A kept receipt whose message id is never stored (the send's answer was lost and the item sent again
# under a new id) is dropped after this long; sends are recorded within seconds.
RECEIPT_KEEP = timedelta(days=1)


@dataclass(frozen=True)
class ClaimedItem:
    """A snapshot of a claimed outbox row (the worker sends it outside any transaction)."""

    id: int
    message_id: int | None
    channel: str
    chat_id: str
    payload: dict
    attempts: int
    created_at: datetime
    locked_until: datetime


@dataclass(frozen=True)
class Claimer:
    """Who claims, for how long, and whether the database can skip rows other workers lock."""

    worker_id: str
    lock_seconds: float
    skip_locked: bool


async def claim_due(factory: async_sessionmaker[AsyncSession], *, per_channel: Mapping[str, int], limit: int,
                    claimer: Claimer) -> list[ClaimedItem]:
    """Claim up to ``limit`` due chat heads, oldest first, and at most ``per_channel[channel]`` of each channel.

    Each channel's heads are picked on their own, so a backlog on one channel (a Telegram flood
    wait, a broadcast) neither takes the whole batch nor keeps another channel's reply waiting.
    """
    per_channel = {channel: min(room, limit) for channel, room in per_channel.items() if room > 0}
    if not per_channel or limit < 1:
        return []
    now = utcnow()
    earlier = aliased(OutboxItem)
    blocked_by_earlier = exists().where(
        earlier.channel == OutboxItem.channel, earlier.chat_id == OutboxItem.chat_id,
        earlier.status.in_(OPEN_STATUSES), earlier.id < OutboxItem.id,
    )
    heads_of = [
        select(OutboxItem.id)
        .where(OutboxItem.channel == channel, OutboxItem.status.in_(OPEN_STATUSES), _due(now), ~blocked_by_earlier)
        .order_by(OutboxItem.id).limit(room).subquery()
        for channel, room in sorted(per_channel.items())
    ]
    # One statement: each channel's oldest heads (a subquery apiece, as SQLite wants a LIMIT inside a
    # UNION), then the rows themselves, locked on PostgreSQL.
    picked = union_all(*(select(heads.c.id) for heads in heads_of))
    query = select(OutboxItem).where(OutboxItem.id.in_(picked)).order_by(OutboxItem.id).limit(limit)
    if claimer.skip_locked:
        query = query.with_for_update(skip_locked=True, of=OutboxItem)
    async with factory() as session, session.begin():
        return [claimed for row in (await session.scalars(query)).all()
                if (claimed := await _take(session, row, claimer, now))]


def _due(now: datetime):
    return and_(OutboxItem.next_attempt_at <= now,
                or_(OutboxItem.locked_until.is_(None), OutboxItem.locked_until <= now))


async def _take(session: AsyncSession, row: OutboxItem, claimer: Claimer, now: datetime) -> ClaimedItem | None:
    """Compare-and-set the claim: it holds only if nobody changed the row since it was read."""
    result = await session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == row.id, OutboxItem.attempts == row.attempts, OutboxItem.status.in_(OPEN_STATUSES),
               _due(now))
        .values(status="sending", locked_by=claimer.worker_id,
                locked_until=now + timedelta(seconds=claimer.lock_seconds), attempts=row.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return ClaimedItem(row.id, row.message_id, row.channel, row.chat_id, dict(row.payload), row.attempts + 1,
                       row.created_at, now + timedelta(seconds=claimer.lock_seconds))


async def _claim_next_in_chat(session: AsyncSession, item: ClaimedItem, claimer: Claimer) -> ClaimedItem | None:
    """The chat's new head once ``item`` is done, claimed when it is due (saves a claim round per message)."""
    row = await session.scalar(
        select(OutboxItem)
        .where(OutboxItem.channel == item.channel, OutboxItem.chat_id == item.chat_id,
               OutboxItem.status.in_(OPEN_STATUSES), OutboxItem.id > item.id)
        .order_by(OutboxItem.id).limit(1)
    )
    return None if row is None else await _take(session, row, claimer, utcnow())


async def _finish_claim(session: AsyncSession, item: ClaimedItem, **values) -> bool:
    """Write ``values`` on the row when this claim still holds; False when its lock expired and it was claimed again.

    A worker starved past its lock must not record an outcome over the new claimer's: that would
    mark the item sent before the new claimer's send and let the chat's next item overtake it. The
    check and the write are one compare-and-set UPDATE, which locks the row until commit.
    """
    result = await session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item.id, OutboxItem.status == "sending", OutboxItem.attempts == item.attempts)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def save_progress(factory: async_sessionmaker[AsyncSession], item: ClaimedItem, sent_ids: list[str]) -> None:
    """Remember the parts of a long message already sent, so a retry does not send them twice."""
    async with factory() as session, session.begin():
        row = await session.get(OutboxItem, item.id)
        row.payload = {**row.payload, "sent_part_ids": sent_ids}


async def mark_sent(factory: async_sessionmaker[AsyncSession], item: ClaimedItem, channel_message_ids: list[str],
                    *, claim_next: Claimer | None = None, receipts: bool = True
                    ) -> tuple[Message | None, ClaimedItem | None]:
    """The item went out: the row is done, the message is "sent" with the channel's id.

    Args:
        receipts: the channel calls back with delivery receipts (Viber): keep the id of each part for
            them and apply any that came before this. A channel without receipts (Telegram, web chat)
            needs neither, and skipping them saves a write and a read on every send.

    Returns:
        The message, and the chat's next item when ``claim_next`` is given and it could be claimed.
    """
    async with factory() as session, session.begin():
        # Before any row lock, as record_receipt takes them: the two never wait on each other in a cycle.
        for channel_message_id in sorted(set(channel_message_ids)) if receipts else ():
            await serialize(session, _receipt_lock(item.channel, channel_message_id))
        if not await _finish_claim(session, item, status="sent", sent_at=utcnow(), locked_by=None, locked_until=None,
                                   last_error=None):
            return None, None
        # Locked: a receipt (web chat ack, Viber "delivered") may be committing right now, and a
        # plain read-modify-write would put the message back from "delivered" to "sent".
        message = await session.get(Message, item.message_id, with_for_update=True) if item.message_id else None
        if message is not None:
            # The last part's id stands for the message (what the shopper's chat shows last).
            message.channel_message_id = channel_message_ids[-1] if channel_message_ids else None
            if STATUS_RANK.get(message.delivery_status, 0) < STATUS_RANK["sent"]:
                message.delivery_status = "sent"
            if receipts:
                session.add_all(MessagePart(message_id=message.id, position=position, channel=item.channel,
                                            channel_message_id=channel_message_id)
                                for position, channel_message_id in enumerate(channel_message_ids))
                await session.flush()
                for channel_message_id in channel_message_ids:
                    await _apply_kept_receipts(session, item.channel, channel_message_id)
        following = await _claim_next_in_chat(session, item, claim_next) if claim_next else None
        return message, following


async def mark_retry(factory: async_sessionmaker[AsyncSession], item: ClaimedItem, *, error: str,
                     next_attempt_at: datetime) -> None:
    """Release the item to be tried again at ``next_attempt_at`` (it stays the head of its chat)."""
    async with factory() as session, session.begin():
        await _finish_claim(session, item, status="pending", locked_by=None, locked_until=None,
                            next_attempt_at=next_attempt_at, last_error=error[:2000])


async def hold_back(factory: async_sessionmaker[AsyncSession], item: ClaimedItem, *,
                    next_attempt_at: datetime) -> None:
    """Release the item unsent, due at ``next_attempt_at``: its claim does not count as an attempt.

    For an item whose channel was paused after it was claimed. It stays the head of its chat, and
    its last error stays the last real one. Taking the count back keeps outcomes recorded only by
    the current claim: the row is "pending", which no outcome is written over, until a new claim
    makes it "sending" at ``item.attempts`` again; a stale claim this one took over from an expired
    lock counted less, and this claim is finished.
    """
    async with factory() as session, session.begin():
        await _finish_claim(session, item, status="pending", locked_by=None, locked_until=None,
                            next_attempt_at=next_attempt_at, attempts=item.attempts - 1)


async def mark_dead(factory: async_sessionmaker[AsyncSession], item: ClaimedItem, *, error: str,
                    delivery_status: str, unsubscribed: bool = False) -> Message | None:
    """Give up on the item: dead letter, and the message shows ``delivery_status`` ("failed"/"dead").

    ``unsubscribed``: the channel said the shopper blocked the bot; their identity there is marked.
    """
    async with factory() as session, session.begin():
        if unsubscribed:
            await set_subscribed(session, channel=item.channel, chat_id=item.chat_id, subscribed=False)
        if not await _finish_claim(session, item, status="dead", locked_by=None, locked_until=None,
                                   last_error=error[:2000]):
            return None
        message = await session.get(Message, item.message_id) if item.message_id else None
        if message is not None:
            message.delivery_status = delivery_status
        return message


async def set_subscribed(session: AsyncSession, *, channel: str, chat_id: str, subscribed: bool) -> None:
    """Mark whether the identities reached at ``chat_id`` on ``channel`` still accept messages."""
    await session.execute(update(Identity).where(Identity.channel == channel, Identity.chat_id == chat_id)
                          .values(subscribed=subscribed).execution_options(synchronize_session=False))


async def record_receipt(session: AsyncSession, *, channel: str, channel_message_id: str,
                         delivery_status: str) -> Message | None:
    """Apply a channel's delivery receipt ("delivered", "seen", "failed") to the sent message.

    A receipt for an id not stored yet is kept until :func:`mark_sent` stores it; the strongest
    receipt wins (see ``STATUS_RANK``), so repeats and late arrivals change nothing. Kept receipts
    older than ``RECEIPT_KEEP`` are purged on the way.

    Returns:
        The message when its status changed, else None (id not stored yet, or an older receipt).
    """
    # Kept first, then looked up: on SQLite this write takes the one writer lock, so the lookup
    # runs after a transaction storing the id has committed, or that transaction sees this row.
    session.add(PendingReceipt(channel=channel, channel_message_id=channel_message_id,
                               delivery_status=delivery_status))
    await session.flush()
    await serialize(session, _receipt_lock(channel, channel_message_id))
    message = await _apply_kept_receipts(session, channel, channel_message_id)
    await _purge_stale_receipts(session)
    return message


async def _apply_kept_receipts(session: AsyncSession, channel: str, channel_message_id: str) -> Message | None:
    """Move the part with ``channel_message_id`` to the strongest of its kept receipts, drop them, update its message.

    The caller holds the (channel, id) lock. Returns the message when its status changed; None when
    there are no kept receipts, no part has the id yet (the receipts stay kept) or the message's
    status does not move ahead.
    """
    of_part = (PendingReceipt.channel == channel, PendingReceipt.channel_message_id == channel_message_id)
    statuses = (await session.scalars(select(PendingReceipt.delivery_status).where(*of_part))).all()
    if not statuses:
        return None  # the usual case when a send is recorded: one read, nothing to write
    message_id = await session.scalar(
        select(MessagePart.message_id)
        .where(MessagePart.channel == channel, MessagePart.channel_message_id == channel_message_id).limit(1))
    if message_id is None:
        return None
    # Locked first: the worker locks it too (a plain read-modify-write could move it back), and so
    # does a receipt for another part, so the parts read after it include that receipt's write.
    message = await session.scalar(select(Message).where(Message.id == message_id).with_for_update()
                                   .execution_options(populate_existing=True))
    await session.execute(delete(PendingReceipt).where(*of_part).execution_options(synchronize_session=False))
    parts = (await session.scalars(select(MessagePart).where(MessagePart.message_id == message_id)
                                   .execution_options(populate_existing=True))).all()
    strongest = max(statuses, key=STATUS_RANK.__getitem__)
    for part in parts:
        ahead = STATUS_RANK[strongest] > STATUS_RANK.get(part.delivery_status, 0)
        if part.channel_message_id == channel_message_id and ahead:
            part.delivery_status = strongest
    status = message_status([part.delivery_status for part in parts])
    if STATUS_RANK.get(message.delivery_status, 0) >= STATUS_RANK[status]:
        return None
    message.delivery_status = status
    return message


def message_status(part_statuses: list[str]) -> str:
    """The delivery status of a message sent in parts, from each part's strongest receipt ("sent" if none).

    The console shows the reply as one message with one status, and an agent reads it as what
    happened to the whole reply:
      * "failed" as soon as any part failed: the shopper is missing part of the answer, and the
        agent has to know to send it again;
      * "seen" as soon as any part is seen: Viber sends one ``seen`` when the shopper reads their
        unread messages, however many there are, so the other parts never get one of their own;
      * "delivered" only once every part is: one part on the shopper's phone is not the answer;
      * otherwise "sent".
    """
    if "failed" in part_statuses:
        return "failed"
    if "seen" in part_statuses:
        return "seen"
    if all(STATUS_RANK[status] >= STATUS_RANK["delivered"] for status in part_statuses):
        return "delivered"
    return "sent"


async def _purge_stale_receipts(session: AsyncSession) -> None:
    # One process at a time is enough; the others skip it rather than wait on the same rows.
    if await try_serialize(session, "pending_receipts.purge"):
        await session.execute(delete(PendingReceipt).where(PendingReceipt.received_at < utcnow() - RECEIPT_KEEP)
                              .execution_options(synchronize_session=False))


def _receipt_lock(channel: str, channel_message_id: str) -> str:
    return f"receipt:{channel}:{channel_message_id}"
