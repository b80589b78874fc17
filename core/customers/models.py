"""Tables of the customers package: proactive notifications, their delivery attempts, RFM breakpoints.

Registered through ``web/models_registry.py`` (not ``core.models``) so ``core.models`` stays free of cycles.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, JSONType, UTCDateTime, utcnow


class Notification(Base):
    """A message the shop sends a customer on its own initiative (order shipped, promo...)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_customer", "customer_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    template: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    params: Mapped[dict] = mapped_column(JSONType, default=dict)
    text: Mapped[str] = mapped_column(Text)  # rendered once, so every channel sends the same words
    marketing: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_channel: Mapped[str | None] = mapped_column(String(16))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempts: Mapped[list[NotificationAttempt]] = relationship(
        lazy="selectin", order_by="NotificationAttempt.id", cascade="all, delete-orphan"
    )


class NotificationAttempt(Base):
    """Delivery of a notification on one channel; a failed attempt hands over to the next channel."""

    __tablename__ = "notification_attempts"
    __table_args__ = (Index("ix_notification_attempts_channel_slot", "channel", "scheduled_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # the channel rate-limit slot
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)


class RfmBreakpoints(Base):
    """The RFM quintile cut points of the last full figures refresh: one row, shared by every process.

    Each column lists, for the scores 2, 3, 4 and 5, the lowest value that scored at least that
    (``null`` when no customer did); see :mod:`core.customers.breakpoints`.
    """

    __tablename__ = "rfm_breakpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recency: Mapped[list] = mapped_column(JSONType)  # last order time, seconds since the epoch
    frequency: Mapped[list] = mapped_column(JSONType)  # number of orders
    monetary: Mapped[list] = mapped_column(JSONType)  # lifetime value
    customers: Mapped[int] = mapped_column(Integer)  # how many customers with orders they were taken from
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
