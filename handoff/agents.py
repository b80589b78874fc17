"""Agents and teams as routing sees them: status, open load, team lookup (CRUD, no orchestration)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFoundError, ValidationFailed
from core.models import Conversation, StaffUser, Team

AGENT_STATUSES = ("online", "away", "offline")
# Who takes conversations: routing assigns them, they are transfer targets and listed as agents.
# Admins run the platform and may act on any conversation as supervisors do, but take none.
ASSIGNABLE_ROLES = ("supervisor", "agent")


async def get(session: AsyncSession, *, agent_id: int) -> StaffUser:
    """An active staff member who may own conversations, or :class:`NotFoundError`."""
    agent = await session.get(StaffUser, agent_id)
    if agent is None or not agent.active or agent.role not in ASSIGNABLE_ROLES:
        raise NotFoundError(f"agent {agent_id} does not exist or cannot take conversations")
    return agent


async def get_all(session: AsyncSession) -> Sequence[StaffUser]:
    """Every active staff member who may own conversations, by name."""
    return (await session.scalars(
        select(StaffUser).where(StaffUser.active.is_(True), StaffUser.role.in_(ASSIGNABLE_ROLES))
        .order_by(StaffUser.name, StaffUser.id)
    )).all()


async def update_status(session: AsyncSession, *, agent: StaffUser, status: str) -> StaffUser:
    """Set online / away / offline."""
    if status not in AGENT_STATUSES:
        raise ValidationFailed(f"unknown status {status!r}; one of {', '.join(AGENT_STATUSES)}",
                               [{"field": "status", "error": "unknown status"}])
    agent.status = status
    await session.flush()
    return agent


def display_name(agent: StaffUser) -> str:
    """The name shoppers see: the display name, else the e-mail's local part."""
    return agent.name or agent.email.split("@", 1)[0]


async def open_load(session: AsyncSession, agent_ids: Sequence[int]) -> dict[int, int]:
    """How many assigned conversations each agent holds now."""
    if not agent_ids:
        return {}
    rows = await session.execute(
        select(Conversation.assignee_id, func.count(Conversation.id))
        .where(Conversation.status == "assigned", Conversation.assignee_id.in_(agent_ids))
        .group_by(Conversation.assignee_id)
    )
    load = dict.fromkeys(agent_ids, 0)
    load.update({agent_id: count for agent_id, count in rows.all()})
    return load


def view(agent: StaffUser, load: int = 0) -> dict:
    """An agent as the console lists them."""
    return {"id": agent.id, "name": display_name(agent), "email": agent.email, "role": agent.role,
            "team_id": agent.team_id, "status": agent.status, "capacity": agent.capacity, "open": load}


async def get_team(session: AsyncSession, *, name: str) -> Team:
    """The team called ``name``, or :class:`NotFoundError`."""
    team = await session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise NotFoundError(f"team {name!r} does not exist")
    return team


async def find_team(session: AsyncSession, *, name: str | None) -> Team | None:
    """The team called ``name``, or None (also for no name)."""
    if not name:
        return None
    return await session.scalar(select(Team).where(Team.name == name))


async def get_teams(session: AsyncSession) -> Sequence[Team]:
    """Every team, by name."""
    return (await session.scalars(select(Team).order_by(Team.name))).all()
