"""Two processes acting on one agent or one conversation at once (found by the multi-process QA pass):
an agent got several times their capacity, and a reply went out after a supervisor in another process
had resolved the conversation. Each test holds one transaction open while the other process acts."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from core.errors import ConflictError
from core.models import Conversation, Customer, StaffUser
from handoff import flows
from handoff.config import HandoffConfig
from handoff.state import CUSTOMER, Actor, Outcome
from tests.support.handoff import harness, make_agent, queued_request_for_a_person, shopper

SUPERVISOR = Actor("staff", None, role="supervisor")


async def _assign(factory, conversation_id: int, agent_id: int) -> None:
    async with factory() as session, session.begin():
        conversation = await session.get(Conversation, conversation_id)
        agent = await session.get(StaffUser, agent_id)
        await flows.assign(session, conversation, agent, actor=SUPERVISOR, language="en", outcome=Outcome())


async def _still_waiting(task: asyncio.Task) -> bool:
    await asyncio.sleep(0.5)
    return not task.done()


async def test_an_agent_at_capacity_gets_nothing_more_from_another_process(settings, session_factory,
                                                                           other_process) -> None:
    first = await queued_request_for_a_person(settings, session_factory)
    second = await queued_request_for_a_person(settings, session_factory)
    olena = await make_agent(session_factory, "olena@shop.ua", capacity=1)
    async with session_factory() as session, session.begin():
        await flows.assign(session, await session.get(Conversation, first), await session.get(StaffUser, olena),
                           actor=SUPERVISOR, language="en", outcome=Outcome())
        meanwhile = asyncio.create_task(_assign(other_process, second, olena))
        assert await _still_waiting(meanwhile)  # it waits for this assignment to commit or roll back
    with pytest.raises(ConflictError, match="already has 1 open conversations"):
        await meanwhile


async def _reply(factory, conversation_id: int, agent_id: int, loaded: asyncio.Event,
                 go_on: asyncio.Event) -> None:
    async with factory() as session, session.begin():
        conversation = await session.get(Conversation, conversation_id)
        agent = await session.get(StaffUser, agent_id)
        loaded.set()
        await go_on.wait()  # the request has read the conversation; the supervisor acts now
        await flows.agent_reply(session, conversation, agent=agent, text="racing reply", outcome=Outcome())


async def test_a_reply_after_a_supervisor_resolved_in_another_process_is_refused(settings, session_factory,
                                                                                other_process) -> None:
    conversation_id = await queued_request_for_a_person(settings, session_factory)
    olena = await make_agent(session_factory, "olena@shop.ua")
    async with session_factory() as session, session.begin():
        await session.execute(update(Conversation).where(Conversation.id == conversation_id)
                              .values(status="assigned", assignee_id=olena))
    loaded, go_on = asyncio.Event(), asyncio.Event()
    reply = asyncio.create_task(_reply(other_process, conversation_id, olena, loaded, go_on))
    await loaded.wait()
    async with session_factory() as session, session.begin():
        conversation = await session.get(Conversation, conversation_id)
        await flows.resolve(session, conversation, actor=SUPERVISOR, language="en", outcome=Outcome())
        go_on.set()
        assert await _still_waiting(reply)  # the reply waits for the resolve to commit
    with pytest.raises(ConflictError, match="is resolved; there is nothing to reply to"):
        await reply



async def _request_handoff(session, settings, conversation_id: int) -> str:
    """Hand the conversation to a person in ``session``'s transaction; what the shopper is told."""
    conversation = await session.get(Conversation, conversation_id)
    outcome = Outcome()
    await flows.request_handoff(session, conversation, await session.get(Customer, conversation.customer_id),
                                reason="explicit_request", topics=[], actor=CUSTOMER,
                                config=HandoffConfig(_env_file=None), settings=settings, language="en",
                                outcome=outcome)
    return outcome.notices[-1].text


async def _hand_off(factory, settings, conversation_id: int) -> str:
    async with factory() as session, session.begin():
        return await _request_handoff(session, settings, conversation_id)


async def test_two_hand_offs_at_once_in_two_processes_get_different_places(settings, session_factory,
                                                                           other_process) -> None:
    # Both counted the committed queue without the other, and both shoppers read "number 1".
    first, second = [(await harness(settings, session_factory).flow.process(shopper("hi", user=user))).conversation_id
                     for user in ("5001", "5002")]
    async with session_factory() as session, session.begin():
        told_first = await _request_handoff(session, settings, first)
        meanwhile = asyncio.create_task(_hand_off(other_process, settings, second))
        assert await _still_waiting(meanwhile)  # the other hand-off waits for this one to commit
    assert "number 1 in the queue" in told_first
    assert "number 2 in the queue" in await meanwhile
