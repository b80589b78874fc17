"""The conversation state machine: every transition is one compare-and-set and one recorded event.

``transition`` updates the row only when ``state_version`` still holds the value this session read
(``UPDATE … WHERE id = ? AND state_version = ?``), so of two processes racing to take the same
conversation exactly one wins; the loser gets a :class:`ConflictError`. The database serialises the
two updates (a row lock on PostgreSQL, the write lock on SQLite), which is why this holds across
processes without any other lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.database import utcnow
from core.errors import ConflictError
from core.models import EVENT_KINDS, Conversation, ConversationEvent

# kind -> (statuses it may start from, status it leads to; None = unchanged or chosen by the caller)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "handoff": (frozenset({"bot", "resolved"}), "queued"),
    "assigned": (frozenset({"queued"}), "assigned"),
    "transferred": (frozenset({"queued", "assigned"}), None),
    "resolved": (frozenset({"queued", "assigned"}), "resolved"),
    "handback": (frozenset({"queued", "assigned"}), "bot"),
    "sla_breach": (frozenset({"queued", "assigned"}), None),
    "csat_requested": (frozenset({"resolved"}), None),
    "csat_rated": (frozenset({"resolved"}), None),
}
assert set(TRANSITIONS) == set(EVENT_KINDS), "every recorded event kind needs its transition rule"

HUMAN_STATUSES = frozenset({"queued", "assigned"})
STATUS_WORDS = {"bot": "with the bot", "queued": "waiting in the queue", "assigned": "assigned to an agent",
                "resolved": "resolved"}
KIND_VERBS = {"handoff": "hand it off", "assigned": "take it", "transferred": "transfer it",
              "resolved": "resolve it", "handback": "hand it back to the bot", "sla_breach": "time its SLA",
              "csat_requested": "ask for a rating", "csat_rated": "rate it"}


@dataclass(frozen=True)
class Actor:
    """Who made a transition: ``kind`` is system | bot | staff | customer."""

    kind: str
    id: int | None = None
    name: str = ""
    role: str = ""

    @property
    def is_supervisor(self) -> bool:
        """Whether the actor may act on other agents' conversations."""
        return self.kind == "system" or self.role in ("admin", "supervisor")


SYSTEM = Actor("system")
CUSTOMER = Actor("customer")


@dataclass(frozen=True)
class Notice:
    """A message for the shopper that a transition produced (the caller queues it)."""

    text: str
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)  # rows of (label, callback data)
    author: str = "system"


@dataclass
class Outcome:
    """What a flow did besides changing rows: bus events to publish after commit, texts for the shopper."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        """Remember ``event`` for publication once the transaction commits."""
        self.events.append((topic, event))

    def tell(self, notice: Notice) -> None:
        """Remember a message for the shopper."""
        self.notices.append(notice)


async def transition(
    session: AsyncSession,
    conversation: Conversation,
    kind: str,
    *,
    actor: Actor,
    to_status: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> ConversationEvent:
    """Move ``conversation`` by one recorded step, atomically.

    Args:
        kind: one of :data:`core.models.EVENT_KINDS`.
        to_status: the new status where the rule leaves it to the caller (transfer); defaults to the rule's.
        changes: other columns to set in the same update (assignee, team, priority, timers...).

    Raises:
        ConflictError: the conversation is in a status this step cannot start from, or another
            transaction changed it since it was read.
    """
    sources, rule_target = TRANSITIONS[kind]
    from_status = conversation.status
    if from_status not in sources:
        raise _cannot_start(conversation.id, from_status, kind)
    target = to_status or rule_target or from_status
    await session.flush()  # pending changes first, so the refresh below does not discard them
    expected = conversation.state_version
    now = utcnow()
    values = {**(changes or {}), "status": target, "state_version": expected + 1, "updated_at": now}
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.state_version == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        # Two agents pressing Take at once: the one who lost is told the conversation is now assigned, as
        # a later press would be, not to retry what cannot succeed (found by QA).
        status_now = await session.scalar(select(Conversation.status).where(Conversation.id == conversation.id))
        if status_now not in sources:
            raise _cannot_start(conversation.id, status_now, kind)
        raise ConflictError(f"conversation {conversation.id} was just changed by someone else; reload it and retry")
    event = ConversationEvent(
        conversation_id=conversation.id, kind=kind, from_status=from_status, to_status=target,
        actor_type=actor.kind, actor_id=actor.id, reason=reason, data=data or {}, created_at=now,
    )
    session.add(event)
    await session.flush()
    await session.refresh(conversation)
    return event


def _cannot_start(conversation_id: int, status: str, kind: str) -> ConflictError:
    return ConflictError(f"conversation {conversation_id} is {STATUS_WORDS.get(status, status)}; "
                         f"you cannot {KIND_VERBS[kind]}")
