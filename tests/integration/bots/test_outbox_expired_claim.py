"""Regression: a worker starved past its outbox claim sent the item after another worker had taken it
over, and recorded "sent" over the new claim, so the item went out twice and the chat's next reply
overtook it (found by the scale-out test under load: two processes, 4 s locks, 2 cores)."""

import asyncio

from sqlalchemy import select

from bots.outbox import DeliveryWorker
from bots.outbox_store import Claimer, claim_due, mark_retry, mark_sent
from core.bus import MemoryEventBus
from core.database import utcnow
from core.models import OutboxItem
from tests.integration.bots.test_outbox import FAST, ScriptedMessenger, queue


async def test_expired_claim_records_nothing_over_the_worker_that_took_the_item_over(settings, session_factory):
    await queue(session_factory, "A", ["first", "second"])
    starved = Claimer("worker-starved", lock_seconds=0.05, skip_locked=not settings.is_sqlite)
    taker = Claimer("worker-taker", lock_seconds=30, skip_locked=not settings.is_sqlite)
    (stale,) = await claim_due(session_factory, per_channel={"fake": 10}, limit=10, claimer=starved)
    await asyncio.sleep(0.1)
    (current,) = await claim_due(session_factory, per_channel={"fake": 10}, limit=10, claimer=taker)
    assert current.id == stale.id and current.attempts == stale.attempts + 1

    assert await mark_sent(session_factory, stale, ["late"], claim_next=starved) == (None, None)
    await mark_retry(session_factory, stale, error="late", next_attempt_at=utcnow())
    async with session_factory() as session:
        row = await session.get(OutboxItem, stale.id)
        assert (row.status, row.locked_by, row.sent_at) == ("sending", "worker-taker", None)

    message, following = await mark_sent(session_factory, current, ["on-time"], claim_next=taker)
    assert message.channel_message_id == "on-time"
    assert following is not None and following.payload["text"] == "second"


async def test_worker_does_not_send_an_item_whose_claim_is_too_old_to_finish(settings, session_factory):
    await queue(session_factory, "A", ["only"])
    starved = Claimer("worker-starved", lock_seconds=0.05, skip_locked=not settings.is_sqlite)
    (stale,) = await claim_due(session_factory, per_channel={"fake": 10}, limit=10, claimer=starved)
    messenger = ScriptedMessenger()
    worker = DeliveryWorker(session_factory=session_factory, bus=MemoryEventBus(), messengers={"fake": messenger},
                            policy=FAST, skip_locked=not settings.is_sqlite)
    await asyncio.sleep(0.1)
    assert await worker._attempt(stale) is None
    assert messenger.attempts == []
    async with session_factory() as session:
        assert (await session.scalar(select(OutboxItem.status))) == "sending"  # claimed again once the lock expires
