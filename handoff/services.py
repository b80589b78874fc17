"""Reading and writing conversations, their timeline, events and private notes (CRUD, no orchestration)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFoundError, ValidationFailed
from core.models import (
    CONVERSATION_STATUSES,
    Conversation,
    ConversationEvent,
    ConversationNote,
    Customer,
    Message,
    StaffUser,
)
from handoff import agents

MAX_NOTE_CHARS = 4000


async def get(session: AsyncSession, *, conversation_id: int) -> Conversation:
    """The conversation, or :class:`NotFoundError`."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFoundError(f"conversation {conversation_id} does not exist")
    return conversation


async def get_all(
    session: AsyncSession, *, status: str | None = None, assignee_id: int | None = None, limit: int = 200
) -> Sequence[Conversation]:
    """Conversations by status and/or assignee; queues come in service order (priority, then wait).

    Raises:
        ValidationFailed: an unknown status.
    """
    statement = select(Conversation)
    if status is not None:
        if status not in CONVERSATION_STATUSES:
            raise ValidationFailed(f"unknown status {status!r}; one of {', '.join(CONVERSATION_STATUSES)}",
                                   [{"field": "status", "error": "unknown status"}])
        statement = statement.where(Conversation.status == status)
    if assignee_id is not None:
        statement = statement.where(Conversation.assignee_id == assignee_id)
    if status == "queued":
        statement = statement.order_by(Conversation.priority.desc(), Conversation.waiting_since, Conversation.id)
    else:
        statement = statement.order_by(Conversation.updated_at.desc(), Conversation.id.desc())
    return (await session.scalars(statement.limit(limit))).all()


async def customer_names(session: AsyncSession, conversations: Sequence[Conversation]) -> dict[int, str | None]:
    """The names of the customers of ``conversations``, by customer id (one query)."""
    ids = {conversation.customer_id for conversation in conversations}
    if not ids:
        return {}
    return dict((await session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids)))).all())


def summarize(conversation: Conversation) -> dict:
    """The list item of the public API (CONTRACT fields plus the SLA state)."""
    return {
        "id": conversation.id,
        "customer_id": conversation.customer_id,
        "status": conversation.status,
        "channel": conversation.channel,
        "language": conversation.language,
        "team": conversation.team,
        "assignee_id": conversation.assignee_id,
        "priority": conversation.priority,
        "handoff_reason": conversation.handoff_reason,
        "waiting_since": _iso(conversation.waiting_since),
        "updated_at": _iso(conversation.updated_at),
        "topic": conversation.topic,
        "sla_breached": conversation.sla_breached,
        "first_response_due_at": _iso(conversation.first_response_due_at),
        "next_response_due_at": _iso(conversation.next_response_due_at),
        "awaiting_csat": conversation.awaiting_csat,
        "csat_score": conversation.csat_score,
    }


async def get_timeline(session: AsyncSession, *, customer_id: int) -> Sequence[Message]:
    """Every message of the customer on every channel and in every conversation, oldest first."""
    return (await session.scalars(
        select(Message).where(Message.customer_id == customer_id).order_by(Message.created_at, Message.id)
    )).all()


def message_view(message: Message) -> dict:
    """A timeline entry of the public API (CONTRACT fields plus kind, attachments and buttons)."""
    payload = message.payload or {}
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "direction": message.direction,
        "author": message.author,
        "author_id": message.author_id,
        "channel": message.channel,
        "kind": message.kind,
        "text": message.text,
        "created_at": _iso(message.created_at),
        "delivery_status": message.delivery_status,
        "attachments": _attachments(payload),
        "buttons": [[button.get("text", "") for button in row] for row in payload.get("buttons") or []],
    }


def _attachments(payload: dict) -> list[dict]:
    """File references kept by the channel adapters: ``payload["attachment"]`` (Telegram file id, Viber
    media URL) or a list under ``attachments``; a shared location also gives its ``location``."""
    single = payload.get("attachment")
    found = [single] if isinstance(single, dict) else [a for a in payload.get("attachments") or []
                                                       if isinstance(a, dict)]
    return [_attachment_view(a) for a in found]


def _attachment_view(attachment: dict) -> dict:
    view = {"kind": attachment.get("type") or attachment.get("kind"),
            "file_id": attachment.get("file_id") or attachment.get("media"),
            "name": attachment.get("file_name") or attachment.get("name")}
    if view["kind"] == "location":
        view["location"] = _coordinates(attachment)
    return view


def _coordinates(attachment: dict) -> dict | None:
    """``{"latitude", "longitude"}`` of a location as Telegram (flat) or Viber (``location.lat/lon``) keep
    it, or None when they are not plausible coordinates: the console builds a map link from them."""
    nested = attachment.get("location") if isinstance(attachment.get("location"), dict) else {}
    latitude = attachment.get("latitude", nested.get("lat"))
    longitude = attachment.get("longitude", nested.get("lon"))
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                  for v in (latitude, longitude))
    if not numbers or abs(latitude) > 90 or abs(longitude) > 180:
        return None
    return {"latitude": latitude, "longitude": longitude}


async def get_events(session: AsyncSession, *, customer_id: int) -> Sequence[ConversationEvent]:
    """The recorded transitions of all the customer's conversations, oldest first."""
    return (await session.scalars(
        select(ConversationEvent).join(Conversation, Conversation.id == ConversationEvent.conversation_id)
        .where(Conversation.customer_id == customer_id).order_by(ConversationEvent.id)
    )).all()


def event_view(event: ConversationEvent) -> dict:
    """A recorded transition as the console shows it."""
    return {"id": event.id, "conversation_id": event.conversation_id, "kind": event.kind,
            "from_status": event.from_status, "to_status": event.to_status, "actor_type": event.actor_type,
            "actor_id": event.actor_id, "reason": event.reason, "data": event.data,
            "created_at": _iso(event.created_at)}


async def create_note(session: AsyncSession, *, conversation: Conversation, author_id: int, text: str
                      ) -> ConversationNote:
    """Store a private note; blank or oversized text is refused."""
    text = text.strip()
    if not text or len(text) > MAX_NOTE_CHARS:
        raise ValidationFailed(f"a note needs 1 to {MAX_NOTE_CHARS} characters",
                               [{"field": "text", "error": "empty or too long"}])
    note = ConversationNote(conversation_id=conversation.id, author_id=author_id, text=text)
    session.add(note)
    await session.flush()
    return note


async def get_notes(session: AsyncSession, *, conversation_id: int) -> Sequence[ConversationNote]:
    """Private notes on the conversation, oldest first."""
    return (await session.scalars(
        select(ConversationNote).where(ConversationNote.conversation_id == conversation_id)
        .order_by(ConversationNote.id)
    )).all()


def note_view(note: ConversationNote, author_name: str | None) -> dict:
    """A private note as the API returns it, with its author's display name (None when unknown)."""
    return {"id": note.id, "conversation_id": note.conversation_id, "author_id": note.author_id,
            "author_name": author_name, "text": note.text, "created_at": _iso(note.created_at)}


async def note_views(session: AsyncSession, notes: Sequence[ConversationNote]) -> list[dict]:
    """Notes as the API returns them, their authors' names read in one query."""
    author_ids = {note.author_id for note in notes if note.author_id is not None}
    authors = await session.scalars(select(StaffUser).where(StaffUser.id.in_(author_ids)))
    names = {author.id: agents.display_name(author) for author in authors}
    return [note_view(note, names.get(note.author_id)) for note in notes]


def _iso(value) -> str | None:
    return value.isoformat() if value else None
