"""An agent's reply refused by a messenger the shopper blocked goes to their other messenger, once, however
many processes hear of the dead letter (found by QA: the reply died in a blocked Telegram chat while the
same customer was reachable on Viber)."""

import pytest
from sqlalchemy import select, update

from bots.flow import InboundFlow
from bots.steps import default_steps
from core import events
from core.bus import MemoryEventBus, create_bus
from core.database import create_engine, create_session_factory
from core.models import Conversation, Identity, Message, OutboxItem, StaffUser
from handoff import flows
from handoff.state import Outcome
from tests.support.channels import eventually
from tests.support.customers import OKSANA, add_customers, shopper
from tests.support.handoff import make_agent
from web.dead_letters import dead_letter_failover
from web.services import AppServices

PHONE = "+380501234567"


@pytest.fixture
async def process_bus(settings):
    """The bus of a running app with its dead-letter listeners (Redis on PostgreSQL runs, memory else)."""
    engine = create_engine(settings)
    bus = create_bus(settings)
    await bus.start()
    async with dead_letter_failover(AppServices(settings, engine, create_session_factory(engine), bus,
                                                settings.secret_key)):
        yield bus
    await bus.stop()
    await engine.dispose()


async def _reply_on_telegram(settings, session_factory) -> Message:
    """Oksana on Viber and Telegram (written from last), with Olena; Olena's reply goes to Telegram."""
    await add_customers(session_factory, settings, OKSANA)
    flow = InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps())
    await flow.process(shopper("viber", "vb-1", kind="contact", phone=PHONE, language="uk"))
    shared = await flow.process(shopper("telegram", "tg-1", kind="contact", phone=PHONE, language="uk"))
    olena = await make_agent(session_factory, "olena@shop.ua", name="Olena")
    async with session_factory() as session, session.begin():
        await session.execute(update(Conversation).where(Conversation.id == shared.conversation_id)
                              .values(status="assigned", assignee_id=olena))
        conversation = await session.get(Conversation, shared.conversation_id)
        return await flows.agent_reply(session, conversation, agent=await session.get(StaffUser, olena),
                                       text="Your parcel is at the Kyiv store", outcome=Outcome())


async def _telegram_refuses(session_factory, message: Message) -> OutboxItem:
    # What the delivery worker records on Telegram's 403 "bot was blocked by the user" (outbox_store.mark_dead).
    async with session_factory() as session, session.begin():
        await session.execute(update(Identity).where(Identity.channel == "telegram").values(subscribed=False))
        item = await session.scalar(select(OutboxItem).where(OutboxItem.message_id == message.id))
        item.status = "dead"
        (await session.get(Message, message.id)).delivery_status = "failed"
        return item


async def _agent_items(session_factory) -> list[OutboxItem]:
    async with session_factory() as session:
        return list((await session.scalars(select(OutboxItem).join(Message, Message.id == OutboxItem.message_id)
                                           .where(Message.author == "agent").order_by(OutboxItem.id))).all())


async def test_a_reply_refused_by_a_blocked_messenger_goes_once_to_the_other(settings, session_factory,
                                                                              process_bus) -> None:
    reply = await _reply_on_telegram(settings, session_factory)
    assert reply.channel == "telegram"
    item = await _telegram_refuses(session_factory, reply)
    dead = {"outbox_id": item.id, "message_id": reply.id, "channel": "telegram", "chat_id": "tg-1",
            "payload": item.payload, "error": "Forbidden: bot was blocked by the user"}
    for _ in range(2):  # every process hears of it; one moves it
        await process_bus.publish(events.OUTBOX_DEAD, dead)

    async def queued_again() -> list[OutboxItem]:
        return [item for item in await _agent_items(session_factory) if item.channel == "viber"]

    await eventually(queued_again)
    [again] = await queued_again()
    async with session_factory() as session:
        moved = await session.get(Message, again.message_id)
        original = await session.get(Message, reply.id)
    assert (again.chat_id, again.payload["text"]) == ("vb-1", "Your parcel is at the Kyiv store")
    assert (moved.author, moved.author_id, moved.payload["agent_name"]) == ("agent", reply.author_id, "Olena")
    assert original.payload["rerouted_to"] == moved.id


async def test_a_reply_that_failed_for_another_reason_stays_where_it_was(settings, session_factory,
                                                                           process_bus) -> None:
    reply = await _reply_on_telegram(settings, session_factory)
    async with session_factory() as session, session.begin():
        item = await session.scalar(select(OutboxItem).where(OutboxItem.message_id == reply.id))
        item.status = "dead"  # a 400 after retries: the messenger still takes messages
    await process_bus.publish(events.OUTBOX_DEAD, {"outbox_id": item.id, "message_id": reply.id,
                                                   "channel": "telegram", "chat_id": "tg-1",
                                                   "payload": item.payload, "error": "Bad Request"})
    await process_bus.publish(events.OUTBOX_READY, {})  # a later event: the listener has run by then
    assert [item.id for item in await _agent_items(session_factory)] == [item.id]
