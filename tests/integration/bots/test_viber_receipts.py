"""Viber receipts update the bot's message by its token and tell the console over the bus."""

from sqlalchemy import select

from bots.flow import InboundFlow
from bots.inbound import InboundMessage
from bots.viber.events import ViberEvents
from core import events
from core.bus import MemoryEventBus
from core.models import Message
from tests.support import viber_payloads as vp


async def test_receipt_updates_the_message_and_publishes_its_status(settings, session_factory):
    bus = MemoryEventBus()
    published = []

    async def listener(topic, event):
        published.append((topic, event))

    flow = InboundFlow(settings=settings, session_factory=session_factory, bus=bus, steps=[])
    result = await flow.process(InboundMessage(channel="viber", user_id=vp.USER_ID, chat_id=vp.USER_ID,
                                               dedup_key="1", text="hi"))
    async with session_factory() as session, session.begin():
        # the bot's reply, as the delivery worker leaves it once Viber accepted it
        message = await session.get(Message, result.message_id)
        reply = Message(conversation_id=message.conversation_id, customer_id=message.customer_id, direction="out",
                        author="bot", channel="viber", chat_id=vp.USER_ID, text="Hello",
                        channel_message_id="5741311803571721087", delivery_status="sent")
        session.add(reply)
    bus.subscribe(events.MESSAGE_STATUS, listener)
    viber = ViberEvents(flow, sender={"name": "Shop"}, default_language="uk")
    for event in ("delivered", "seen", "delivered"):  # the late "delivered" changes nothing
        raw = vp.receipt(event, 5741311803571721087)
        assert await viber.handle(viber.parse(raw), raw) == {"status": 0}
    async with session_factory() as session:
        stored = await session.scalar(select(Message).where(Message.direction == "out"))
    assert stored.delivery_status == "seen"
    assert [(e["message_id"], e["delivery_status"]) for _, e in published] == [
        (stored.id, "delivered"), (stored.id, "seen")]
    assert published[0][1]["conversation_id"] == stored.conversation_id
