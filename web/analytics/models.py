"""Indexes the analytics queries need on the shared tables (declared here, created by migration 0002).

Every figure looks up "the first/last event of kind K in conversation C"; without this index
SQLite answers those from ``(kind, created_at)`` and scans every event of that kind per conversation.
"""

from sqlalchemy import Index

from core.models import ConversationEvent

EVENTS_BY_CONVERSATION_AND_KIND = Index(
    "ix_conversation_events_conversation_kind",
    ConversationEvent.conversation_id, ConversationEvent.kind, ConversationEvent.created_at,
)
