"""The SLA worker: records run-out response timers and hands the morning queue to agents.

Runs in every process with workers (``RELAYDESK_RUN_WORKERS``); the compare-and-set on each
conversation makes several workers record each breach and each assignment once between them.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.bus import EventBus
from core.database import utcnow
from core.errors import ConflictError
from core.models import Conversation, Team
from handoff import flows, sla
from handoff.config import HandoffConfig
from handoff.state import Outcome

logger = logging.getLogger(__name__)


async def record_breaches(factory: async_sessionmaker[AsyncSession], bus: EventBus, config: HandoffConfig,
                          *, now: datetime | None = None) -> int:
    """Record every run-out timer (one transaction per conversation); returns how many were recorded."""
    now = now or utcnow()
    async with factory() as session:
        overdue = [(c.id, sla.overdue_kinds(c, now)) for c in await sla.get_overdue(session, now=now)]
    recorded = 0
    for conversation_id, kinds in overdue:
        for kind in kinds:
            outcome = Outcome()
            try:
                async with factory() as session, session.begin():
                    conversation = await session.get(Conversation, conversation_id)
                    if not await sla.breach(session, conversation, kind, config=config, outcome=outcome, now=now):
                        continue
            except ConflictError:
                continue  # another worker recorded it, or an agent acted meanwhile
            recorded += 1
            for topic, event in outcome.events:
                await bus.publish_or_log(topic, event)
    return recorded


async def dispatch_waiting(factory: async_sessionmaker[AsyncSession], bus: EventBus) -> int:
    """Assign queued conversations of every open team (and of no team) to agents with room."""
    async with factory() as session:
        names = (await session.scalars(
            select(Conversation.team).where(Conversation.status == "queued").distinct()
        )).all()
    assigned = 0
    for name in names:
        outcome = Outcome()
        async with factory() as session, session.begin():
            team = await session.scalar(select(Team).where(Team.name == name)) if name else None
            assigned += await flows.dispatch(session, team, outcome=outcome)
        for topic, event in outcome.events:
            await bus.publish_or_log(topic, event)
    return assigned


async def run_forever(factory: async_sessionmaker[AsyncSession], bus: EventBus, config: HandoffConfig) -> None:
    """Check the timers and the queues every ``config.sla_check_interval_s`` seconds until cancelled."""
    while True:
        try:
            await record_breaches(factory, bus, config)
            await dispatch_waiting(factory, bus)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("SLA worker pass failed; retrying next interval")
        await asyncio.sleep(config.sla_check_interval_s)
