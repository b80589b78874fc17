"""The inbound flow: stored once before the answer, replies in the outbox, duplicates ignored."""

import pytest
from sqlalchemy import func, select

from bots.flow import InboundFlow
from bots.inbound import InboundMessage
from bots.steps import default_steps
from core.bus import MemoryEventBus
from core.models import Conversation, Customer, Identity, Message, OutboxItem


@pytest.fixture
def flow(settings, session_factory):
    return InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps())


def _text(text: str, key: str, user: str = "1001", channel: str = "telegram") -> InboundMessage:
    return InboundMessage(channel=channel, user_id=user, chat_id=user, dedup_key=key, text=text,
                          display_name="Oksana")


async def test_first_message_creates_customer_conversation_and_queued_reply(flow, session_factory) -> None:
    result = await flow.process(_text("Привіт", "u1"))
    assert not result.duplicate
    async with session_factory() as session:
        customer = await session.scalar(select(Customer))
        assert customer.name == "Oksana"
        identity = await session.scalar(select(Identity))
        assert (identity.channel, identity.external_id, identity.customer_id) == ("telegram", "1001", customer.id)
        messages = (await session.scalars(select(Message).order_by(Message.id))).all()
        assert [(m.direction, m.author, m.delivery_status) for m in messages] == [
            ("in", "customer", "received"), ("out", "bot", "pending")]
        outbox = (await session.scalars(select(OutboxItem))).all()
        assert [(o.channel, o.chat_id, o.message_id, o.status) for o in outbox] == [
            ("telegram", "1001", messages[1].id, "pending")]


async def test_duplicate_update_is_ignored(flow, session_factory) -> None:
    await flow.process(_text("Привіт", "u1"))
    again = await flow.process(_text("Привіт", "u1"))
    assert again.duplicate
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Message.id))) == 2
        assert await session.scalar(select(func.count(OutboxItem.id))) == 1


async def test_next_messages_continue_the_same_conversation(flow, session_factory) -> None:
    await flow.process(_text("one", "u1"))
    await flow.process(_text("two", "u2"))
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Conversation.id))) == 1
        assert await session.scalar(select(func.count(Customer.id))) == 1


async def test_events_are_published_after_commit(settings, session_factory) -> None:
    bus = MemoryEventBus()
    seen = []

    async def listener(topic, event):
        async with session_factory() as session:  # the data is visible when the event arrives
            seen.append((topic, await session.get(Message, event["message_id"]) is not None
                         if "message_id" in event else True))

    bus.subscribe("*", listener)
    flow = InboundFlow(settings=settings, session_factory=session_factory, bus=bus, steps=default_steps())
    await flow.process(_text("hello", "u1"))
    assert ("message.created", True) in seen
    assert [t for t, _ in seen].count("message.created") == 2
    assert ("outbox.ready", True) in seen


class UnreachableBus(MemoryEventBus):
    """A bus whose Redis is restarting."""

    async def publish(self, topic, event):
        raise ConnectionError("Redis is restarting")


async def test_a_stored_update_is_answered_as_accepted_while_the_bus_is_down(settings, session_factory) -> None:
    """Regression: with Redis down the flow stored the update and queued its reply, then raised while
    publishing the events, so the webhook answered 500 and the channel sent the update again
    (found by tests/integration/scaleout/test_restarts.py)."""
    flow = InboundFlow(settings=settings, session_factory=session_factory, bus=UnreachableBus(),
                       steps=default_steps())
    result = await flow.process(_text("hello", "u1"))
    assert not result.duplicate and result.reply_message_ids
    async with session_factory() as session:
        assert await session.scalar(select(func.count(OutboxItem.id))) == 1
