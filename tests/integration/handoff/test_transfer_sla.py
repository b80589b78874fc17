"""A transfer to another team restarts the running SLA timers under that team's SLA and hours."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.bus import MemoryEventBus
from core.database import utcnow
from core.models import Conversation, StaffUser, Team
from handoff import agents, flows, hours, sla
from handoff.config import HandoffConfig
from handoff.state import Actor, Outcome
from handoff.worker import record_breaches
from tests.support.handoff import harness, make_agent, make_team, shopper

CONFIG = HandoffConfig(_env_file=None)
SUPERVISOR = Actor("staff", None, role="supervisor")


def _closed_now_hours() -> dict:
    """Hours on one day three days from now (UTC): the team is closed for the whole test."""
    day = hours.DAY_KEYS[(utcnow().weekday() + 3) % 7]
    return {day: ["09:00", "18:00"]}


async def _teams(factory) -> None:
    await make_team(factory, "support", skills=["general"], timezone="UTC", business_hours=_closed_now_hours(),
                    first_response_sla_s=300)
    await make_team(factory, "returns", skills=["returns"], first_response_sla_s=1)


async def _handed_off(settings, factory, topics: list[str]) -> int:
    flow = harness(settings, factory, decision={"action": "handoff", "reason": "explicit_request"}, topics=topics)
    return (await flow.flow.process(shopper("I want a human agent"))).conversation_id


async def _transfer(factory, conversation_id: int, **target) -> Conversation:
    async with factory() as session, session.begin():
        conversation = await session.get(Conversation, conversation_id)
        if "agent_id" in target:
            target = {"agent": await session.get(StaffUser, target.pop("agent_id"))}
        await flows.transfer(session, conversation, actor=SUPERVISOR, language="en", outcome=Outcome(),
                             config=CONFIG, **target)
    async with factory() as session:
        return await session.get(Conversation, conversation_id)


async def _team(factory, name: str) -> Team:
    async with factory() as session:
        return await agents.find_team(session, name=name)


async def test_from_a_closed_team_to_an_open_one_the_open_teams_sla_runs(settings, session_factory) -> None:
    await _teams(session_factory)
    conversation_id = await _handed_off(settings, session_factory, [])
    before = utcnow()
    moved = await _transfer(session_factory, conversation_id, team_name="returns")
    assert moved.team == "returns"
    assert before < moved.first_response_due_at <= utcnow() + timedelta(seconds=1)
    await asyncio.sleep(1.1)
    assert await record_breaches(session_factory, MemoryEventBus(), CONFIG) == 1


async def test_from_an_open_team_to_a_closed_one_nothing_breaches_before_it_opens(settings,
                                                                                 session_factory) -> None:
    await _teams(session_factory)
    conversation_id = await _handed_off(settings, session_factory, ["returns"])
    moved = await _transfer(session_factory, conversation_id, team_name="support")
    support = await _team(session_factory, "support")
    assert moved.first_response_due_at == sla.first_response_due(support, utcnow())
    await asyncio.sleep(1.1)
    assert await record_breaches(session_factory, MemoryEventBus(), CONFIG) == 0


async def test_to_an_agent_of_another_team_that_teams_sla_runs(settings, session_factory) -> None:
    await _teams(session_factory)
    agent_id = await make_agent(session_factory, "olena@shop.ua", team="returns", status="online")
    conversation_id = await _handed_off(settings, session_factory, [])
    moved = await _transfer(session_factory, conversation_id, agent_id=agent_id)
    assert (moved.status, moved.team) == ("assigned", "returns")
    assert moved.first_response_due_at <= utcnow() + timedelta(seconds=1)

