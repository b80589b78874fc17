"""Atomic transitions (two takes at once: one wins) and SLA breaches (priority up, event, alert, once)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.bus import MemoryEventBus
from core.database import create_engine, create_session_factory, utcnow
from core.errors import ConflictError
from core.models import Conversation, ConversationEvent, StaffUser
from handoff import flows
from handoff.config import HandoffConfig
from handoff.state import SYSTEM, Actor, Outcome, transition
from handoff.worker import dispatch_waiting, record_breaches
from tests.support.handoff import make_agent, make_team, queued_request_for_a_person

CONFIG = HandoffConfig(_env_file=None)


@pytest.fixture
async def second_factory(settings):
    """A second engine and pool: another process's view of the same database."""
    engine = create_engine(settings)
    yield create_session_factory(engine)
    await engine.dispose()


async def _take(factory, conversation_id: int, agent_id: int, started: asyncio.Event, both: asyncio.Barrier):
    async with factory() as session, session.begin():
        conversation = await session.get(Conversation, conversation_id)
        agent = await session.get(StaffUser, agent_id)
        await both.wait()  # both have read the same version before either writes
        await flows.assign(session, conversation, agent, actor=Actor("staff", agent_id, role="agent"),
                           language="en", outcome=Outcome())


async def test_two_agents_taking_at_once_exactly_one_wins(settings, session_factory, second_factory) -> None:
    conversation_id = await queued_request_for_a_person(settings, session_factory)
    olena = await make_agent(session_factory, "olena@shop.ua")
    petro = await make_agent(session_factory, "petro@shop.ua")
    both = asyncio.Barrier(2)
    results = await asyncio.gather(
        _take(session_factory, conversation_id, olena, asyncio.Event(), both),
        _take(second_factory, conversation_id, petro, asyncio.Event(), both),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ConflictError), results
    # The one who lost is told it is taken, as a later press would be, not to retry (found by QA).
    assert str(errors[0]) == f"conversation {conversation_id} is assigned to an agent; you cannot take it"
    async with session_factory() as session:
        conversation = await session.get(Conversation, conversation_id)
        winner = olena if results[0] is None else petro
        assert (conversation.status, conversation.assignee_id) == ("assigned", winner)
        events = (await session.scalars(select(ConversationEvent).where(
            ConversationEvent.kind == "assigned"))).all()
        assert [(e.actor_id, e.data) for e in events] == [(winner, {"agent_id": winner})]


async def test_a_stale_read_cannot_overwrite_a_newer_state(settings, session_factory) -> None:
    conversation_id = await queued_request_for_a_person(settings, session_factory)
    agent_id = await make_agent(session_factory, "olena@shop.ua")
    async with session_factory() as stale_session:
        stale = await stale_session.get(Conversation, conversation_id)
        async with session_factory() as session, session.begin():
            fresh = await session.get(Conversation, conversation_id)
            await flows.resolve(session, fresh, actor=Actor("staff", agent_id, role="supervisor"), language="en",
                                outcome=Outcome())
        agent = await stale_session.get(StaffUser, agent_id)
        with pytest.raises(ConflictError, match="is resolved; you cannot take it"):
            await flows.assign(stale_session, stale, agent, actor=Actor("staff", agent_id), language="en",
                               outcome=Outcome())


async def test_a_stale_read_of_a_state_that_still_allows_the_step_is_told_to_retry(settings,
                                                                                   session_factory) -> None:
    """Still queued, but changed since it was read (an SLA breach): reloading and taking it again works."""
    conversation_id = await queued_request_for_a_person(settings, session_factory)
    agent_id = await make_agent(session_factory, "olena@shop.ua")
    async with session_factory() as stale_session:
        stale = await stale_session.get(Conversation, conversation_id)
        async with session_factory() as session, session.begin():
            await transition(session, await session.get(Conversation, conversation_id), "sla_breach", actor=SYSTEM)
        agent = await stale_session.get(StaffUser, agent_id)
        with pytest.raises(ConflictError, match="was just changed by someone else; reload it and retry"):
            await flows.assign(stale_session, stale, agent, actor=Actor("staff", agent_id), language="en",
                               outcome=Outcome())


async def _set_due(factory, conversation_id: int, **timers) -> None:
    async with factory() as session, session.begin():
        await session.execute(update(Conversation).where(Conversation.id == conversation_id).values(**timers))


async def test_first_response_breach_raises_priority_and_alerts_once(settings, session_factory,
                                                                     second_factory) -> None:
    conversation_id = await queued_request_for_a_person(settings, session_factory)
    await _set_due(session_factory, conversation_id, first_response_due_at=utcnow() - timedelta(seconds=1))
    bus, seen = MemoryEventBus(), []

    async def record(topic, event):
        seen.append((topic, event))

    bus.subscribe("sla.breached", record)
    counts = await asyncio.gather(record_breaches(session_factory, bus, CONFIG),
                                  record_breaches(second_factory, bus, CONFIG))
    assert sum(counts) == 1  # two workers, one breach recorded
    async with session_factory() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert (conversation.priority, conversation.sla_breached, conversation.first_response_due_at) == (
            10, True, None)
        event = await session.scalar(select(ConversationEvent).where(ConversationEvent.kind == "sla_breach"))
        assert (event.data["kind"], event.from_status, event.to_status) == ("first_response", "queued", "queued")
    assert [(t, e["conversation_id"], e["kind"]) for t, e in seen] == [
        ("sla.breached", conversation_id, "first_response")]
    assert await record_breaches(session_factory, bus, CONFIG) == 0


async def test_next_response_breach_on_an_assigned_conversation(settings, session_factory) -> None:
    conversation_id = await queued_request_for_a_person(settings, session_factory)
    agent_id = await make_agent(session_factory, "olena@shop.ua")
    async with session_factory() as session, session.begin():
        conversation = await session.get(Conversation, conversation_id)
        await flows.assign(session, conversation, await session.get(StaffUser, agent_id), actor=Actor("system"),
                           language="en", outcome=Outcome())
    await _set_due(session_factory, conversation_id, first_response_due_at=None,
                   next_response_due_at=utcnow() - timedelta(seconds=5))
    assert await record_breaches(session_factory, MemoryEventBus(), CONFIG) == 1
    async with session_factory() as session:
        event = await session.scalar(select(ConversationEvent).where(ConversationEvent.kind == "sla_breach"))
        assert event.data["kind"] == "next_response"


async def test_timers_not_yet_due_are_left_alone(settings, session_factory) -> None:
    await queued_request_for_a_person(settings, session_factory)
    assert await record_breaches(session_factory, MemoryEventBus(), CONFIG) == 0


async def test_the_worker_hands_waiting_conversations_to_agents_who_come_online(settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    conversation_id = await queued_request_for_a_person(settings, session_factory)
    agent_id = await make_agent(session_factory, "olena@shop.ua", team="support", status="online")
    assert await dispatch_waiting(session_factory, MemoryEventBus()) == 1
    async with session_factory() as session:
        assert (await session.get(Conversation, conversation_id)).assignee_id == agent_id
