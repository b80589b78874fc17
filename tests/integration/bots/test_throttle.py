"""A flooding shopper is throttled by the first flow step: stored, answered within budget, told once."""

import pytest
from sqlalchemy import select

from bots.flow import InboundFlow
from bots.inbound import InboundMessage
from bots.steps import default_steps
from bots.steps.throttle import SLOW_DOWN
from core.bus import MemoryEventBus
from core.models import Conversation, Customer, Identity, Message
from core.ratelimit import SHOPPER_LIMITER_KEY


@pytest.fixture
async def make_flow(settings, session_factory):
    flows = []

    def make(**overrides):
        flow_settings = settings.model_copy(update={"shopper_burst": 3, "shopper_rate_per_minute": 0.01, **overrides})
        flow = InboundFlow(settings=flow_settings, session_factory=session_factory, bus=MemoryEventBus(),
                           steps=default_steps(), services={})
        flows.append(flow)
        return flow

    yield make
    for flow in flows:
        if SHOPPER_LIMITER_KEY in flow.services:
            await flow.services[SHOPPER_LIMITER_KEY].close()


def _text(user: str, n: int) -> InboundMessage:
    return InboundMessage(channel="telegram", user_id=user, chat_id=user, dedup_key=f"{user}-{n}", text=f"msg {n}",
                          language_hint="ru")


async def _timeline(session_factory, user: str) -> list[tuple[str, str]]:
    async with session_factory() as session:
        customer_id = await session.scalar(select(Identity.customer_id).where(Identity.external_id == user))
        rows = await session.scalars(select(Message).where(Message.customer_id == customer_id).order_by(Message.id))
        return [(m.author, m.text) for m in rows]


async def test_flood_is_stored_but_answered_only_within_budget(make_flow, session_factory) -> None:
    flow = make_flow()
    for n in range(6):
        await flow.process(_text("flooder", n))
    await flow.process(_text("calm", 0))
    timeline = await _timeline(session_factory, "flooder")
    customer = [text for author, text in timeline if author == "customer"]
    assert customer == [f"msg {n}" for n in range(6)]
    assert [author for author, _ in timeline] == [
        "customer", "bot", "customer", "bot", "customer", "bot", "customer", "system", "customer", "customer"]
    assert timeline[7][1] == SLOW_DOWN["ru"]  # the conversation's language is unknown: the shopper's
    async with session_factory() as session:
        throttled = (await session.scalars(select(Message).where(Message.text == "msg 4"))).one()
        assert throttled.payload.get("throttled") is True
    # Someone else writing at the same time is answered as usual.
    assert [author for author, _ in await _timeline(session_factory, "calm")] == ["customer", "bot"]


async def test_the_notice_prefers_the_conversation_language(make_flow, session_factory) -> None:
    flow = make_flow(shopper_burst=1)
    await flow.process(_text("anna", 0))
    async with session_factory() as session, session.begin():
        conversation = await session.scalar(select(Conversation))
        conversation.language = "en"
    await flow.process(_text("anna", 1))
    assert (await _timeline(session_factory, "anna"))[-1] == ("system", SLOW_DOWN["en"])


async def test_a_conversation_owned_by_a_person_is_never_throttled(make_flow, session_factory) -> None:
    flow = make_flow(shopper_burst=1)
    await flow.process(_text("vip", 0))
    async with session_factory() as session, session.begin():
        (await session.scalar(select(Conversation))).status = "assigned"
    for n in range(1, 4):
        await flow.process(_text("vip", n))
    async with session_factory() as session:
        rows = (await session.scalars(select(Message).where(Message.direction == "in"))).all()
        assert [m.payload.get("throttled") for m in rows] == [None] * 4
        assert await session.scalar(select(Customer.id)) is not None


async def test_two_processes_share_the_budget_through_redis(make_flow, session_factory, backend) -> None:
    if not backend.redis_url:
        pytest.skip("the embedded backend has no Redis; this runs in the PostgreSQL + Redis pass")
    # Two flows with their own limiters stand for two server processes sharing one Redis.
    process_a, process_b = make_flow(), make_flow()
    for n in range(3):
        await (process_a if n % 2 else process_b).process(_text("roamer", n))
    await process_a.process(_text("roamer", 3))
    await process_b.process(_text("roamer", 4))
    authors = [author for author, _ in await _timeline(session_factory, "roamer")]
    assert authors == ["customer", "bot", "customer", "bot", "customer", "bot", "customer", "system", "customer"]
