"""Conversations, their messages, state-transition events and private notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, JSONType, UTCDateTime, utcnow

CONVERSATION_STATUSES = ("bot", "queued", "assigned", "resolved")
DELIVERY_STATUSES = ("received", "pending", "sent", "delivered", "seen", "failed", "dead")
# ConversationEvent.kind vocabulary (analytics reads these):
#   handoff        bot -> queued; reason = the hand-off reason; data {"team", "priority"}
#   assigned       queued -> assigned; actor = the staff member taking it; data {"agent_id"}
#   transferred    to another team or agent; data {"from_team", "to_team", "from_agent", "to_agent"}
#   resolved       -> resolved; actor = the agent (or system)
#   handback       queued/assigned -> bot (an agent hands the conversation back to the bot)
#   sla_breach     a response timer ran out; data {"kind": "first_response" | "next_response"}
#   csat_requested the rating question was sent
#   csat_rated     data {"score": 1..5}
EVENT_KINDS = ("handoff", "assigned", "transferred", "resolved", "handback", "sla_breach", "csat_requested",
               "csat_rated")


class Conversation(Base):
    """One thread between a customer and the shop; its status says who answers (bot or a person)."""

    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_status_priority", "status", "priority", "waiting_since"),
        Index("ix_conversations_customer", "customer_id", "updated_at"),
        Index("ix_conversations_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="bot")
    channel: Mapped[str] = mapped_column(String(16))  # the channel the customer last wrote from
    chat_id: Mapped[str | None] = mapped_column(String(128))  # where replies go on that channel
    language: Mapped[str | None] = mapped_column(String(8))
    team: Mapped[str | None] = mapped_column(String(64))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher is served first
    handoff_reason: Mapped[str | None] = mapped_column(String(64))
    topic: Mapped[str | None] = mapped_column(String(64))
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    awaiting_csat: Mapped[bool] = mapped_column(Boolean, default=False)
    csat_score: Mapped[int | None] = mapped_column(Integer)
    low_confidence_streak: Mapped[int] = mapped_column(Integer, default=0)
    state_version: Mapped[int] = mapped_column(Integer, default=0)  # compare-and-set guard for transitions
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Message(Base):
    """A message in or out, on any channel; the customer's timeline is all their messages by time."""

    __tablename__ = "messages"
    __table_args__ = (
        # Dedup of inbound updates: Telegram update_id / Viber message_token / web chat client id.
        UniqueConstraint("channel", "dedup_key"),
        Index("ix_messages_conversation", "conversation_id", "id"),
        Index("ix_messages_customer", "customer_id", "id"),
        Index("ix_messages_channel_message", "channel", "channel_message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(4))  # "in" | "out"
    author: Mapped[str] = mapped_column(String(16))  # "customer" | "bot" | "agent" | "system"
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32), default="text")  # text, photo, contact, callback, ...
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)  # attachments, buttons, NLU decision
    dedup_key: Mapped[str | None] = mapped_column(String(128))
    channel_message_id: Mapped[str | None] = mapped_column(String(128))
    delivery_status: Mapped[str] = mapped_column(String(16), default="received")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConversationEvent(Base):
    """One recorded state transition or milestone (hand-off, assignment, resolve, rating...)."""

    __tablename__ = "conversation_events"
    __table_args__ = (
        Index("ix_conversation_events_conversation", "conversation_id", "id"),
        Index("ix_conversation_events_kind_created", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    actor_type: Mapped[str] = mapped_column(String(16), default="system")  # system | bot | staff | customer
    actor_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConversationNote(Base):
    """A private note agents leave on a conversation; never sent to the shopper."""

    __tablename__ = "conversation_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
