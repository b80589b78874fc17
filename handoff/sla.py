"""SLA timers: when the first and the next response are due, and recording a breach.

A team's timers count from the moment it works (a conversation queued at night is due the
first-response SLA after the morning opening). A breach raises the conversation's priority, marks it
``sla_breached``, records an ``sla_breach`` event and tells the console over the bus.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import events
from core.models import Conversation, Team
from handoff import services
from handoff.config import HandoffConfig
from handoff.hours import working_from
from handoff.state import SYSTEM, Outcome, transition

DEFAULT_FIRST_RESPONSE_S = 300
DEFAULT_NEXT_RESPONSE_S = 600
TIMER_COLUMNS = {"first_response": "first_response_due_at", "next_response": "next_response_due_at"}


def first_response_due(team: Team | None, now: datetime) -> datetime:
    """When the first agent reply is due for a conversation handed off at ``now``."""
    seconds = team.first_response_sla_s if team else DEFAULT_FIRST_RESPONSE_S
    return working_from(team, now) + timedelta(seconds=seconds)


def next_response_due(team: Team | None, now: datetime) -> datetime:
    """When the agent's next reply is due after the shopper wrote at ``now``."""
    seconds = team.next_response_sla_s if team else DEFAULT_NEXT_RESPONSE_S
    return working_from(team, now) + timedelta(seconds=seconds)


def restarted_timers(conversation: Conversation, team: Team | None, now: datetime) -> dict[str, datetime]:
    """The running timers of ``conversation`` restarted for ``team`` as of ``now`` (for a move to it).

    A timer counts against the team that owns the conversation, so on a move to another team each
    running timer starts afresh under the new team's SLA and hours, as a hand-off to it at ``now``
    would; the time waited in the old team's queue does not count. Otherwise a closed team would
    inherit a deadline it cannot meet, and an open one a deadline set by a closed team's hours.
    Timers that are not running stay stopped: an answered shopper is not owed a reply again, and a
    breach already recorded stays recorded (``sla_breached`` and the raised priority).
    """
    due = {"first_response": first_response_due, "next_response": next_response_due}
    return {column: due[kind](team, now) for kind, column in TIMER_COLUMNS.items()
            if getattr(conversation, column) is not None}


async def get_overdue(session: AsyncSession, *, now: datetime, limit: int = 100) -> Sequence[Conversation]:
    """Conversations owned by people whose first- or next-response timer has run out."""
    return (await session.scalars(
        select(Conversation).where(
            Conversation.status.in_(("queued", "assigned")),
            or_(Conversation.first_response_due_at <= now, Conversation.next_response_due_at <= now),
        ).order_by(Conversation.id).limit(limit)
    )).all()


def overdue_kinds(conversation: Conversation, now: datetime) -> list[str]:
    """Which timers of ``conversation`` have run out at ``now``."""
    return [kind for kind, column in TIMER_COLUMNS.items()
            if getattr(conversation, column) is not None and getattr(conversation, column) <= now]


async def breach(session: AsyncSession, conversation: Conversation, kind: str, *, config: HandoffConfig,
                 outcome: Outcome, now: datetime) -> bool:
    """Record a run-out timer: raise the priority, flag the conversation, alert the console.

    The timer is cleared so it fires once; the compare-and-set makes two SLA workers in two
    processes record it once between them. Returns False when the timer is no longer running out
    (an agent answered, or another worker recorded it).
    """
    if conversation.status not in ("queued", "assigned") or kind not in overdue_kinds(conversation, now):
        return False
    column = TIMER_COLUMNS[kind]
    due_at = getattr(conversation, column)
    await transition(
        session, conversation, "sla_breach", actor=SYSTEM, reason=kind,
        data={"kind": kind, "due_at": due_at.isoformat() if due_at else None},
        changes={"priority": conversation.priority + config.breach_priority_boost, "sla_breached": True,
                 column: None},
    )
    outcome.publish(events.SLA_BREACHED, {
        "conversation_id": conversation.id, "kind": kind, "team": conversation.team,
        "assignee_id": conversation.assignee_id, "priority": conversation.priority,
    })
    outcome.publish(events.CONVERSATION_UPDATED, {**services.summarize(conversation), "conversation_id":
                                                  conversation.id, "change": "sla_breach"})
    return True
