"""Routing: VIP rule and team, skills, least-busy assignment within capacity, status, business hours."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.database import utcnow
from core.models import Conversation, Customer, Message
from handoff import flows, routing
from handoff.config import HandoffConfig
from handoff.hours import DAY_KEYS
from handoff.state import Actor, Outcome
from tests.conftest import make_settings
from tests.support.handoff import harness, make_agent, make_team, shopper


async def _conversation(factory, conversation_id: int) -> Conversation:
    async with factory() as session:
        return await session.get(Conversation, conversation_id)


async def _mark_customer(factory, conversation_id: int, **values) -> None:
    async with factory() as session, session.begin():
        conversation = await session.get(Conversation, conversation_id)
        customer = await session.get(Customer, conversation.customer_id)
        for key, value in values.items():
            setattr(customer, key, value)


async def _greet(settings, factory, user: str):
    """A first message the bot keeps (no NLU decision): creates the customer."""
    return await harness(settings, factory).flow.process(shopper("hi", user=user))


async def _texts(factory, conversation_id: int) -> list[str]:
    async with factory() as session:
        return list((await session.scalars(select(Message.text).where(
            Message.conversation_id == conversation_id, Message.direction == "out").order_by(Message.id))).all())


@pytest.mark.parametrize(("customer_values", "rule"), [
    pytest.param({"vip": True}, {}, id="flag"),
    pytest.param({"tags": ["VIP", "wholesale"]}, {}, id="tag"),
    pytest.param({"lifetime_value": Decimal("75000")}, {"vip_lifetime_value": "50000"}, id="lifetime-value"),
    pytest.param({"rfm_segment": "champions"}, {"vip_segments": "champions,loyal"}, id="segment"),
])
async def test_vip_customers_go_to_the_vip_team_first_in_line(backend, settings, session_factory, customer_values,
                                                              rule) -> None:
    settings = make_settings(backend, database_url=settings.database_url, **rule)
    await make_team(session_factory, "support", skills=["general"])
    await make_team(session_factory, "vip", is_vip=True)
    flow = harness(settings, session_factory, decision={"action": "handoff", "reason": "frustration"})
    regular = await flow.flow.process(shopper("hm", user="1"))
    first = await _greet(settings, session_factory, "2")
    await _mark_customer(session_factory, first.conversation_id, **customer_values)
    vip = await flow.flow.process(shopper("this is unacceptable", user="2"))
    conversation = await _conversation(session_factory, vip.conversation_id)
    assert (conversation.team, conversation.priority) == ("vip", 100)
    assert (await _conversation(session_factory, regular.conversation_id)).team == "support"


async def test_vip_comes_before_longer_waiting_regulars_in_one_team(settings, session_factory) -> None:
    flow = harness(settings, session_factory, decision={"action": "handoff", "reason": "explicit_request"})
    for user in ("1", "2"):
        await flow.flow.process(shopper("person", user=user))
    first = await _greet(settings, session_factory, "3")
    await _mark_customer(session_factory, first.conversation_id, vip=True)
    vip = await flow.flow.process(shopper("person", user="3"))
    assert (await _texts(session_factory, vip.conversation_id))[-1].startswith(
        "Connecting you with an agent — you are number 1 in the queue")


async def test_vip_complex_topic_goes_straight_to_a_person(settings, session_factory) -> None:
    await make_team(session_factory, "vip", is_vip=True)
    flow = harness(settings, session_factory, decision={"action": "answer"}, topics=["returns"])
    first = await _greet(settings, session_factory, "1001")
    await _mark_customer(session_factory, first.conversation_id, tags=["vip"])
    result = await flow.flow.process(shopper("can I return these boots?"))
    conversation = await _conversation(session_factory, result.conversation_id)
    assert (conversation.status, conversation.team, conversation.handoff_reason) == ("queued", "vip", "vip")


async def test_the_vip_rule_is_configurable(backend, settings, session_factory) -> None:
    settings = make_settings(backend, database_url=settings.database_url, vip_tags="gold")
    await make_team(session_factory, "vip", is_vip=True)
    await make_team(session_factory, "support", skills=["general"])
    flow = harness(settings, session_factory, decision={"action": "handoff", "reason": "explicit_request"})
    first = await _greet(settings, session_factory, "1001")
    await _mark_customer(session_factory, first.conversation_id, tags=["vip"], lifetime_value=Decimal("99999"))
    result = await flow.flow.process(shopper("person"))
    assert (await _conversation(session_factory, result.conversation_id)).team == "support"


async def test_topics_route_to_the_team_with_that_skill(settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_team(session_factory, "billing", skills=["payment", "refund"])
    flow = harness(settings, session_factory, decision={"action": "handoff", "reason": "sensitive_topic"},
                   topics=["payment"])
    result = await flow.flow.process(shopper("card charged twice"))
    conversation = await _conversation(session_factory, result.conversation_id)
    assert (conversation.team, conversation.topic) == ("billing", "payment")


async def test_configured_topics_always_go_to_a_person(settings, session_factory) -> None:
    config = HandoffConfig(_env_file=None, handoff_topics=["wholesale"])
    flow = harness(settings, session_factory, decision={"action": "answer"}, topics=["wholesale"],
                   config=config)
    result = await flow.flow.process(shopper("bulk prices?"))
    conversation = await _conversation(session_factory, result.conversation_id)
    assert (conversation.status, conversation.handoff_reason) == ("queued", "topic")


@pytest.mark.parametrize("topics, vip, expected", [
    pytest.param(["orders", "returns", "payment"], False, "returns", id="first-topic-with-a-skill"),
    pytest.param(["payment", "returns"], False, "billing", id="topic-order-decides"),
    pytest.param(["promotions"], False, "support", id="no-skill-general"),
    pytest.param([], False, "support", id="no-topics-general"),
    pytest.param(["returns"], True, "vip", id="vip-first"),
])
async def test_choosing_the_team_by_topics(session_factory, topics, vip, expected) -> None:
    await make_team(session_factory, "billing", skills=["payment"])
    await make_team(session_factory, "support", skills=["general"])
    await make_team(session_factory, "returns", skills=["returns", "warranty"])
    await make_team(session_factory, "vip", is_vip=True)
    async with session_factory() as session:
        assert (await routing.choose_team(session, topics=topics, vip=vip)).name == expected


async def test_any_configured_topic_of_the_message_goes_to_a_person(settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_team(session_factory, "delivery", skills=["delivery"])
    config = HandoffConfig(_env_file=None, handoff_topics=["delivery"])
    flow = harness(settings, session_factory, decision={"action": "answer"}, topics=["orders", "delivery"],
                   config=config)
    result = await flow.flow.process(shopper("can I change the address?"))
    conversation = await _conversation(session_factory, result.conversation_id)
    assert (conversation.handoff_reason, conversation.team, conversation.topic) == ("topic", "delivery", "delivery")


async def test_a_vip_answered_on_a_simple_topic_stays_with_the_bot(settings, session_factory) -> None:
    await make_team(session_factory, "vip", is_vip=True)
    flow = harness(settings, session_factory, decision={"action": "answer"}, topics=["delivery"])
    first = await _greet(settings, session_factory, "1001")
    await _mark_customer(session_factory, first.conversation_id, vip=True)
    result = await flow.flow.process(shopper("how much is delivery?"))
    assert (await _conversation(session_factory, result.conversation_id)).status == "bot"


async def test_least_busy_online_agents_within_capacity(settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    olena = await make_agent(session_factory, "olena@shop.ua", team="support", status="online", capacity=1,
                             name="Olena")
    petro = await make_agent(session_factory, "petro@shop.ua", team="support", status="online", capacity=1,
                             name="Petro")
    await make_agent(session_factory, "away@shop.ua", team="support", status="away")
    await make_agent(session_factory, "other@shop.ua", team="elsewhere", status="online")
    flow = harness(settings, session_factory)
    results = [await flow.flow.process(shopper("person", user=str(n), data="handoff:request")) for n in range(3)]
    owners = [(await _conversation(session_factory, r.conversation_id)).assignee_id for r in results]
    assert owners == [olena, petro, None]
    # Taken at once: only who joined, not "number 1 in the queue" followed by "has joined" in one second.
    assert (await _texts(session_factory, results[0].conversation_id)) == ["Olena has joined."]
    assert (await _conversation(session_factory, results[2].conversation_id)).status == "queued"
    [waiting] = await _texts(session_factory, results[2].conversation_id)
    assert "number 1 in the queue" in waiting


def _closed_today_hours(zone: str) -> dict:
    """Hours on one day that is not today in ``zone`` (so the team is closed now)."""
    today = utcnow().astimezone(ZoneInfo(zone)).weekday()
    return {DAY_KEYS[(today + 2) % 7]: ["09:00", "18:00"]}


async def test_outside_business_hours_the_shopper_learns_when_and_it_waits(settings, session_factory) -> None:
    hours = _closed_today_hours("Europe/Kyiv")
    await make_team(session_factory, "support", skills=["general"], business_hours=hours, timezone="Europe/Kyiv")
    await make_agent(session_factory, "olena@shop.ua", team="support", status="online")
    flow = harness(settings, session_factory)
    result = await flow.flow.process(shopper("person", data="handoff:request"))
    conversation = await _conversation(session_factory, result.conversation_id)
    assert (conversation.status, conversation.assignee_id) == ("queued", None)  # waits for the morning queue
    [day] = hours
    weekday = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[DAY_KEYS.index(day)]
    assert (await _texts(session_factory, result.conversation_id)) == [
        f"Our team is offline right now. An agent will answer on {weekday} at 09:00 — your message is saved "
        "and you are number 1 in the queue."]
    # The first-response timer starts at the opening, not now.
    assert conversation.first_response_due_at - utcnow() > timedelta(hours=20)


async def test_resolving_frees_capacity_for_the_next_in_line(settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    olena = await make_agent(session_factory, "olena@shop.ua", team="support", status="online", capacity=1,
                             name="Olena")
    flow = harness(settings, session_factory)
    first = await flow.flow.process(shopper("person", user="1", data="handoff:request"))
    second = await flow.flow.process(shopper("person", user="2", data="handoff:request"))
    assert (await _conversation(session_factory, second.conversation_id)).status == "queued"
    async with session_factory() as session, session.begin():
        conversation = await session.get(Conversation, first.conversation_id)
        await flows.resolve(session, conversation, actor=Actor("staff", olena, role="agent"), language="en",
                            outcome=Outcome())
    waiting = await _conversation(session_factory, second.conversation_id)
    assert (waiting.status, waiting.assignee_id) == ("assigned", olena)
    assert (await _texts(session_factory, second.conversation_id))[-1] == "Olena has joined."
