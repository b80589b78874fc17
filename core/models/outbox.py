"""The transactional outbox: every message to a shopper is a row here before anything is sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, JSONType, UTCDateTime, utcnow

OUTBOX_STATUSES = ("pending", "sending", "sent", "dead")


class OutboxItem(Base):
    """One outgoing message waiting for delivery, delivered in id order per (channel, chat)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_chat", "channel", "chat_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)  # text, buttons, keyboard, kind
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PendingReceipt(Base):
    """A channel's delivery receipt that came before its message's id was recorded.

    Viber may call back ``delivered`` / ``seen`` / ``failed`` for a message while the process that
    sent it has not yet stored the ``message_token`` from the send's answer. The receipt waits here
    and is applied when the id is recorded; one whose id never appears is purged after a while.
    """

    __tablename__ = "pending_receipts"
    __table_args__ = (
        Index("ix_pending_receipts_channel_message", "channel", "channel_message_id"),
        Index("ix_pending_receipts_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    channel_message_id: Mapped[str] = mapped_column(String(128))
    delivery_status: Mapped[str] = mapped_column(String(16))  # "delivered" | "seen" | "failed"
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MessagePart(Base):
    """One piece of a sent message as the channel knows it: the id the channel returned and its receipts.

    A reply longer than a channel's limit goes out as several messages, each with its own id (Viber
    ``message_token``, Telegram ``message_id``), and Viber sends ``delivered`` / ``seen`` / ``failed``
    for each. A message sent whole has one part. Telegram ids are unique only within a chat; the
    lookup by id is for Viber receipts, whose tokens are unique.
    """

    __tablename__ = "message_parts"
    __table_args__ = (
        Index("ix_message_parts_channel_message", "channel", "channel_message_id"),
        UniqueConstraint("message_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 0 for the first part, in the order they were sent
    channel: Mapped[str] = mapped_column(String(16))
    channel_message_id: Mapped[str] = mapped_column(String(128))
    delivery_status: Mapped[str] = mapped_column(String(16), default="sent")  # the strongest receipt for this part
