"""Shared tables. Importing this package registers them on :data:`core.database.Base.metadata`."""

from core.models.audit import AuditRecord, InstanceValue
from core.models.conversations import (
    CONVERSATION_STATUSES,
    DELIVERY_STATUSES,
    EVENT_KINDS,
    Conversation,
    ConversationEvent,
    ConversationNote,
    Message,
)
from core.models.customers import Customer, CustomerNote, CustomerPhone, Identity, LinkTokenUse, Order
from core.models.outbox import OUTBOX_STATUSES, MessagePart, OutboxItem, PendingReceipt
from core.models.staff import AuthToken, StaffUser, Team

__all__ = [
    "CONVERSATION_STATUSES",
    "DELIVERY_STATUSES",
    "EVENT_KINDS",
    "OUTBOX_STATUSES",
    "AuditRecord",
    "AuthToken",
    "Conversation",
    "ConversationEvent",
    "ConversationNote",
    "Customer",
    "CustomerNote",
    "CustomerPhone",
    "Identity",
    "InstanceValue",
    "LinkTokenUse",
    "Message",
    "MessagePart",
    "Order",
    "OutboxItem",
    "PendingReceipt",
    "StaffUser",
    "Team",
]
