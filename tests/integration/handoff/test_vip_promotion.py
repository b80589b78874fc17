"""A shopper waiting in the general queue who shares their phone (or opens the shop's link) and turns out
to be a VIP moves to the VIP line: VIP team, VIP priority, a recorded move, and their new place in line.
Before, the conversation kept the team and priority it was handed off with, as an unknown shopper's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import Conversation, ConversationEvent, Customer, Message
from handoff import texts
from tests.support.customers import OKSANA, add_customers, shopper
from tests.support.handoff import flow_with_support_and_vip_teams, make_agent
from tests.support.staff import bearer_for

PERSON = {"data": "handoff:request"}


@pytest.fixture
async def flow(settings, session_factory):
    return await flow_with_support_and_vip_teams(settings, session_factory)


async def _queued_then_shares_phone(flow, session_factory, settings, *, vip: bool) -> Conversation:
    await add_customers(session_factory, settings, {**OKSANA, "tags": ["vip"] if vip else []})
    asked = await flow.process(shopper("telegram", "tg-7", kind="callback", payload=PERSON, language="uk"))
    async with session_factory() as session:
        queued = await session.get(Conversation, asked.conversation_id)
        assert (queued.status, queued.team, queued.priority) == ("queued", "support", 0)
    await flow.process(shopper("telegram", "tg-7", kind="contact", phone="+380501234567", language="uk"))
    async with session_factory() as session:
        return await session.get(Conversation, asked.conversation_id)


async def _replies(session_factory, conversation_id: int) -> list[str]:
    async with session_factory() as session:
        return list((await session.scalars(select(Message.text).where(
            Message.conversation_id == conversation_id, Message.direction == "out").order_by(Message.id))).all())


async def test_a_vip_identified_while_waiting_moves_to_the_vip_line(flow, session_factory, settings) -> None:
    conversation = await _queued_then_shares_phone(flow, session_factory, settings, vip=True)

    assert (conversation.status, conversation.team, conversation.priority) == ("queued", "vip", 100)
    async with session_factory() as session:
        moved = await session.scalar(select(ConversationEvent).where(
            ConversationEvent.conversation_id == conversation.id, ConversationEvent.kind == "transferred"))
    assert (moved.reason, moved.actor_type, moved.data["from_team"], moved.data["to_team"]) == (
        "vip", "system", "support", "vip")
    replies = await _replies(session_factory, conversation.id)
    # The confirmation of the phone first, then the new place: first in the VIP line.
    assert "+380501234567" in replies[-2]
    assert replies[-1].startswith(texts.text("queued", "uk", position=1, minutes=0).split(":")[0])


async def test_a_vip_agent_online_takes_the_promoted_conversation_at_once(flow, session_factory, settings) -> None:
    agent = await make_agent(session_factory, "vip-agent@example.com", team="vip", status="online")

    conversation = await _queued_then_shares_phone(flow, session_factory, settings, vip=True)

    assert (conversation.status, conversation.assignee_id, conversation.team) == ("assigned", agent, "vip")


async def test_a_regular_customer_stays_where_they_wait(flow, session_factory, settings) -> None:
    conversation = await _queued_then_shares_phone(flow, session_factory, settings, vip=False)

    assert (conversation.status, conversation.team, conversation.priority) == ("queued", "support", 0)
    async with session_factory() as session:
        assert await session.scalar(select(ConversationEvent).where(
            ConversationEvent.conversation_id == conversation.id, ConversationEvent.kind == "transferred")) is None


async def test_an_admin_merge_into_a_vip_moves_the_waiting_conversation(flow, client, session_factory,
                                                                        settings) -> None:
    await add_customers(session_factory, settings, {**OKSANA, "tags": ["vip"]})
    asked = await flow.process(shopper("viber", "vb-7", kind="callback", payload=PERSON, language="ru"))
    async with session_factory() as session:
        walk_in = (await session.get(Conversation, asked.conversation_id)).customer_id
        oksana = await session.scalar(select(Customer.id).where(Customer.external_id == OKSANA["external_id"]))

    merged = await client.post(f"/api/customers/{walk_in}/merge", json={"into": oksana},
                               headers=await bearer_for(session_factory, "admin"))

    assert merged.status_code == 200, merged.text
    async with session_factory() as session:
        conversation = await session.get(Conversation, asked.conversation_id)
    assert (conversation.customer_id, conversation.team, conversation.priority) == (oksana, "vip", 100)
    # The shopper hears the new place in line in Viber, in Russian.
    assert (await _replies(session_factory, conversation.id))[-1].startswith(
        texts.text("queued", "ru", position=1, minutes=0).split(":")[0])
