"""Viber receipts update the bot's message by its token and tell the console over the bus.

Viber can call back ``delivered`` / ``seen`` / ``failed`` before the worker has stored the token its
send returned: such receipts are kept and applied when the token is stored.
"""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from bots.flow import InboundFlow
from bots.inbound import InboundMessage
from bots.messenger import RecordingMessenger
from bots.outbox_store import Claimer, claim_due, mark_sent, record_receipt
from bots.viber.events import ViberEvents
from core import events
from core.bus import MemoryEventBus
from core.database import utcnow
from core.models import Message, MessagePart, PendingReceipt
from tests.integration.bots.test_outbox import queue, rows, run_worker
from tests.support import viber_payloads as vp
from tests.support.channels import eventually, post_viber, stored_messages


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
        await session.flush()
        session.add(MessagePart(message_id=reply.id, position=0, channel="viber",
                                channel_message_id="5741311803571721087"))
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


@pytest.mark.parametrize(("callbacks", "final"), [
    pytest.param(("delivered", "seen", "seen"), "seen", id="delivered-seen"),
    pytest.param(("seen", "delivered"), "seen", id="seen-before-delivered"),
    pytest.param(("failed",), "failed", id="failed"),
])
async def test_callbacks_before_the_send_is_recorded_are_applied_when_it_is(
        channels_client, channels_settings, viber, session_factory, callbacks, final):
    viber.hold_answers()  # Viber has the message and calls back; its answer to send_message is still on the way
    await post_viber(channels_client, channels_settings, vp.message_event(vp.text("hi")))
    await viber.wait_for_async(lambda: viber.sent(vp.USER_ID))
    token = viber.sent(vp.USER_ID)[0]["message_token"]
    for event in callbacks:
        assert (await post_viber(channels_client, channels_settings, vp.receipt(event, token))).status_code == 200
    [reply] = await stored_messages(session_factory, "out")
    assert (reply.delivery_status, reply.channel_message_id) == ("pending", None)
    viber.release_answers()

    async def token_stored():
        return (await stored_messages(session_factory, "out"))[0].channel_message_id == str(token)

    await eventually(token_stored)
    [reply] = await stored_messages(session_factory, "out")
    assert reply.delivery_status == final
    assert await rows(session_factory, PendingReceipt) == []


@pytest.mark.parametrize(("receipts", "final"), [
    pytest.param(["seen", "delivered"], "seen", id="seen-wins-over-a-late-delivered"),
    pytest.param(["delivered", "delivered"], "delivered", id="repeated"),
    pytest.param(["delivered", "failed", "seen"], "failed", id="failed-wins-as-for-a-known-token"),
])
async def test_kept_receipts_apply_strongest_first_and_the_console_hears_it(settings, session_factory, receipts,
                                                                           final):
    [message_id] = await queue(session_factory, "A", ["Hello"])
    for status in receipts:  # "fake-1": the id the messenger below returns for its first send
        async with session_factory() as session, session.begin():
            assert await record_receipt(session, channel="fake", channel_message_id="fake-1",
                                        delivery_status=status) is None
    bus = MemoryEventBus()
    published = []

    async def listener(_topic, event):
        published.append(event)

    bus.subscribe(events.MESSAGE_STATUS, listener)
    messenger = RecordingMessenger(sends_receipts=True)  # as Viber: its receipts name the id the send returned
    worker = await run_worker(session_factory, bus, messenger, settings)
    try:
        await eventually(lambda: published)
    finally:
        await worker.stop()
    [message] = await rows(session_factory, Message)
    assert (message.delivery_status, message.channel_message_id) == (final, "fake-1")
    assert [(e["message_id"], e["delivery_status"]) for e in published] == [(message_id, final)]
    assert await rows(session_factory, PendingReceipt) == []


async def test_receipts_whose_token_never_came_are_purged_after_a_day(settings, session_factory):
    now = utcnow()
    async with session_factory() as session, session.begin():
        session.add_all([
            PendingReceipt(channel="viber", channel_message_id="1", delivery_status="seen",
                           received_at=now - timedelta(days=1, minutes=1)),
            PendingReceipt(channel="viber", channel_message_id="2", delivery_status="delivered",
                           received_at=now - timedelta(hours=23)),
        ])
    flow = InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(), steps=[])
    viber = ViberEvents(flow, sender={"name": "Shop"}, default_language="uk")
    raw = vp.receipt("delivered", 3)
    assert await viber.handle(viber.parse(raw), raw) == {"status": 0}
    kept = await rows(session_factory, PendingReceipt)
    assert [(r.channel_message_id, r.delivery_status) for r in kept] == [("2", "delivered"), ("3", "delivered")]


@pytest.mark.parametrize(("tokens", "receipt_for"), [
    pytest.param(["42"], "42", id="whole-message"),
    pytest.param(["41", "42", "43"], "41", id="first-of-three-parts"),
])
async def test_a_receipt_committing_while_its_token_is_stored_is_not_lost(backend, session_factory, tokens,
                                                                         receipt_for):
    if not backend.is_postgres:
        pytest.skip("SQLite lets one transaction write at a time; this interleaving needs PostgreSQL")
    [message_id] = await queue(session_factory, "A", ["Hello"], channel="viber")
    [item] = await claim_due(session_factory, per_channel={"viber": 1}, limit=1,
                             claimer=Claimer("test", lock_seconds=60, skip_locked=True))
    async with session_factory() as session, session.begin():
        # READ COMMITTED: without a common lock, storing the token would not see this uncommitted
        # receipt, and the receipt (already past its lookup) would not see the stored token.
        assert await record_receipt(session, channel="viber", channel_message_id=receipt_for,
                                    delivery_status="seen") is None
        storing = asyncio.create_task(mark_sent(session_factory, item, tokens))
        await eventually(lambda: _waiting_for_a_lock(session_factory))
    message, _ = await storing
    assert (message.id, message.delivery_status) == (message_id, "seen")


async def _waiting_for_a_lock(session_factory) -> bool:
    async with session_factory() as session:
        # pg_locks lists the whole server's locks; only this test's database counts.
        return bool(await session.scalar(select(func.count()).select_from(text("pg_locks")).where(
            text("NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"))))
