"""Routing: which team gets a conversation, its priority, which agent takes it, where it stands in line."""

from __future__ import annotations

import math
from collections.abc import Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.figures import is_vip as vip_rule
from core.database import serialize
from core.models import Conversation, Customer, StaffUser, Team
from core.settings import Settings
from handoff import agents
from handoff.config import HandoffConfig

GENERAL_SKILL = "general"
QUEUE_LOCK = "handoff-queues"


def is_vip(customer: Customer, settings: Settings) -> bool:
    """The stored VIP flag, or the configured VIP rule applied to the customer as they are now."""
    return bool(customer.vip or vip_rule(customer, settings))


async def choose_team(session: AsyncSession, *, topics: Sequence[str], vip: bool) -> Team | None:
    """VIP customers go to the VIP team; others to the first team with one of the topics among its skills.

    Topics are tried in their order (the article's tags, main one first), so a message tagged
    ``returns, payment`` goes to the returns team when there is one. Falls back to a team with the
    "general" skill, then to any non-VIP team; None when there are no teams.
    """
    teams = (await session.scalars(select(Team).order_by(Team.id))).all()
    if vip:
        for team in teams:
            if team.is_vip:
                return team
    regular = [team for team in teams if not team.is_vip]
    for wanted in (*topics, GENERAL_SKILL):
        for team in regular:
            if wanted in (team.skills or []):
                return team
    return regular[0] if regular else (teams[0] if teams else None)


def routed_topic(team: Team | None, topics: Sequence[str]) -> str | None:
    """The topic to record on the conversation: the first one ``team`` has the skill for, else the first one."""
    skills = set(team.skills or []) if team is not None else set()
    return next((topic for topic in topics if topic in skills), topics[0] if topics else None)


def base_priority(vip: bool, config: HandoffConfig) -> int:
    """Queue priority at hand-off: VIP first; within a priority the longest waiting goes first."""
    return config.vip_priority if vip else 0


async def pick_agent(session: AsyncSession, team: Team | None) -> StaffUser | None:
    """The least busy online agent of ``team`` (any team when None) with spare capacity."""
    statement = select(StaffUser).where(
        StaffUser.active.is_(True), StaffUser.status == "online", StaffUser.role.in_(agents.ASSIGNABLE_ROLES)
    )
    if team is not None:
        statement = statement.where(StaffUser.team_id == team.id)
    candidates = (await session.scalars(statement.order_by(StaffUser.id))).all()
    load = await agents.open_load(session, [agent.id for agent in candidates])
    free = [agent for agent in candidates if load[agent.id] < agent.capacity]
    return min(free, key=lambda agent: (load[agent.id], agent.id), default=None)


def _same_queue(conversation: Conversation):
    if conversation.team is None:
        return Conversation.team.is_(None)
    return Conversation.team == conversation.team


async def enter_queues(session: AsyncSession) -> None:
    """Let one transaction at a time put a conversation in a queue, until it commits.

    A place in line is counted from the committed queues: two hand-offs at the same moment in two
    processes each counted without the other, and both shoppers read "you are number 1". Taken before
    the conversation's waiting time is set, so the order of the lock is the order of the line.
    """
    await serialize(session, QUEUE_LOCK)


async def queue_position(session: AsyncSession, conversation: Conversation) -> int:
    """1-based place of a queued conversation in its team's line (priority, then waiting time)."""
    ahead = await session.scalar(
        select(func.count(Conversation.id)).where(
            Conversation.status == "queued", _same_queue(conversation), Conversation.id != conversation.id,
            or_(
                Conversation.priority > conversation.priority,
                and_(Conversation.priority == conversation.priority,
                     or_(Conversation.waiting_since < conversation.waiting_since,
                         and_(Conversation.waiting_since == conversation.waiting_since,
                              Conversation.id < conversation.id))),
            ),
        )
    )
    return (ahead or 0) + 1


async def next_in_line(session: AsyncSession, team: Team | None, *, limit: int) -> list[Conversation]:
    """The first ``limit`` queued conversations of ``team`` in service order."""
    statement = select(Conversation).where(Conversation.status == "queued")
    statement = statement.where(Conversation.team == team.name if team else Conversation.team.is_(None))
    statement = statement.order_by(Conversation.priority.desc(), Conversation.waiting_since, Conversation.id)
    return list((await session.scalars(statement.limit(limit))).all())


async def wait_estimate_s(session: AsyncSession, team: Team | None, position: int, config: HandoffConfig) -> int:
    """A rough wait: the conversations ahead shared among the team's online agents."""
    statement = select(func.count(StaffUser.id)).where(
        StaffUser.active.is_(True), StaffUser.status == "online", StaffUser.role.in_(agents.ASSIGNABLE_ROLES)
    )
    if team is not None:
        statement = statement.where(StaffUser.team_id == team.id)
    online = await session.scalar(statement) or 0
    return math.ceil(position / max(online, 1)) * config.wait_per_conversation_s
