"""The delivery worker: sends the outbox through the channels' messengers, in order per chat.

Woken by ``core.events.OUTBOX_READY`` and by a short poll. Each claimed item (see
:mod:`bots.outbox_store`) is sent in its own task, several chats at a time; a chat's next item is
claimable only once the previous one is sent or dead. Temporary failures are retried with
exponential backoff and jitter (a channel's ``retry_after`` is honoured, and pauses that whole
channel, since Telegram's flood control is per bot); permanent failures, and messages still
undelivered after ``give_up_after``, become dead letters the agents can see.

A channel takes at most ``channel_concurrency`` sends at once. More of its chats than that may be
claimed, taking turns at its slots (each task sends its chat's following items too, so a chat with a
slot would otherwise keep it until its backlog is gone), but never so many that the other channels lack
room for their own ``channel_concurrency``: a backlog on one channel does not keep another channel's
reply waiting. The pause is checked again right
before each send (each part of a long message): what is in flight when a channel answers "retry
after" is all that reaches it during the wait. An item claimed before the pause goes back unsent,
due when the pause is over, still at the head of its chat and without the claim counting as an attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.messenger import Messenger, PermanentFailure, RetryLater, SendResult
from bots.outbox_store import (
    ClaimedItem,
    Claimer,
    claim_due,
    hold_back,
    mark_dead,
    mark_retry,
    mark_sent,
    save_progress,
)
from bots.text_split import message_parts
from core import events
from core.bus import EventBus
from core.database import utcnow
from core.settings import Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")
# Seconds between attempts to record a sent item while the database is unreachable.
RECORD_RETRY_FIRST = 0.2
RECORD_RETRY_MAX = 2.0
# The longest pause a CHANNEL_PAUSED event may ask for; Telegram flood waits are seconds to minutes.
MAX_PAUSE_S = 3600.0


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard the worker tries. Times in seconds."""

    lock_seconds: float = 60.0
    give_up_after: float = 6 * 3600.0
    backoff_base: float = 1.0
    backoff_max: float = 300.0
    poll_interval: float = 0.5
    concurrency: int = 16
    # Sends in flight per channel: what still reaches a channel after it answers "retry after".
    channel_concurrency: int = 4

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        """The policy configured by ``OUTBOX_LOCK_SECONDS`` and ``OUTBOX_GIVE_UP_MINUTES``."""
        return cls(lock_seconds=settings.outbox_lock_seconds, give_up_after=settings.outbox_give_up_minutes * 60)

    @property
    def send_timeout(self) -> float:
        """A send must finish well within the lock, or another worker could send the item again."""
        return max(0.5, self.lock_seconds / 2)

    def backoff(self, attempts: int) -> float:
        """Exponential backoff with jitter for the ``attempts``-th failure (1-based)."""
        delay = min(self.backoff_max, self.backoff_base * 2 ** max(0, attempts - 1))
        return random.uniform(delay / 2, delay)


class _ChannelPaused(Exception):
    """The item's channel was paused before its send: nothing went out this time."""

    def __init__(self, seconds_left: float) -> None:
        super().__init__(f"channel paused for {seconds_left:.2f}s more")
        self.seconds_left = seconds_left


class _ClaimTooOld(Exception):
    """Too little of the item's claim is left to finish a send within it."""


class DeliveryWorker:
    """Claims due outbox items and sends them; start with :meth:`start`, stop with :meth:`stop`."""

    def __init__(self, *, session_factory: async_sessionmaker[AsyncSession], bus: EventBus,
                 messengers: Mapping[str, Messenger], policy: DeliveryPolicy, skip_locked: bool) -> None:
        self.session_factory = session_factory
        self.bus = bus
        self.messengers = messengers
        self.policy = policy
        self.claimer = Claimer(f"worker-{uuid.uuid4().hex[:12]}", policy.lock_seconds, skip_locked)
        self._wake = asyncio.Event()
        self._inflight: set[asyncio.Task] = set()
        # Delivery tasks per channel, and how many one channel may have: what the other channels' slots
        # would need stays free for them, so one channel's backlog leaves room for the others' replies.
        self._inflight_by_channel: Counter[str] = Counter()
        self._tasks_per_channel = max(policy.channel_concurrency,
                                      policy.concurrency - policy.channel_concurrency * (len(messengers) - 1))
        self._paused_until: dict[str, float] = {}
        self._slots = {channel: asyncio.Semaphore(policy.channel_concurrency) for channel in messengers}
        self._runner: asyncio.Task | None = None
        self._unsubscribers: list[Callable[[], None]] = []
        self._stopping = False

    async def start(self) -> None:
        """Subscribe to OUTBOX_READY and CHANNEL_PAUSED and start the claim loop."""
        self._unsubscribers = [self.bus.subscribe(events.OUTBOX_READY, self._on_ready),
                               self.bus.subscribe(events.CHANNEL_PAUSED, self._on_paused)]
        self._runner = asyncio.create_task(self._run(), name=f"relaydesk-{self.claimer.worker_id}")

    async def stop(self, grace: float = 5.0) -> None:
        """Stop claiming, let sends in flight finish for ``grace`` seconds, then cancel them.

        A cancelled send leaves its item locked; it is retried once the lock expires.
        """
        self._stopping = True
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._wake.set()
        if self._runner:
            await self._runner
        if self._inflight:
            _, pending = await asyncio.wait(self._inflight, timeout=grace)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _on_ready(self, _topic: str, _event: dict) -> None:
        self._wake.set()

    async def _on_paused(self, _topic: str, event: dict) -> None:
        # Another process (or this one) was told to wait: the limit is the bot's, not the process's.
        channel, seconds = event.get("channel"), event.get("seconds")
        if channel in self.messengers and isinstance(seconds, int | float) and 0 < seconds <= MAX_PAUSE_S:
            self._pause(channel, seconds)

    def _pause(self, channel: str, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._paused_until[channel] = max(self._paused_until.get(channel, 0), loop.time() + seconds)
        loop.call_later(seconds, self._wake.set)  # what waited is due the moment the pause is over

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            claimed = await self._claim()
            for item in claimed:
                task = asyncio.create_task(self._deliver(item))
                self._inflight.add(task)
                self._inflight_by_channel[item.channel] += 1
                task.add_done_callback(partial(self._finished, item.channel))
            if claimed and len(self._inflight) < self.policy.concurrency:
                continue  # there may be more due right now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.policy.poll_interval)

    def _finished(self, channel: str, task: asyncio.Task) -> None:
        self._inflight.discard(task)
        self._inflight_by_channel[channel] -= 1
        self._wake.set()  # the chat's next item may be due now

    def _paused(self, channel: str) -> bool:
        return self._pause_left(channel) > 0

    def _pause_left(self, channel: str) -> float:
        return self._paused_until.get(channel, 0) - asyncio.get_running_loop().time()

    async def _claim(self) -> list[ClaimedItem]:
        capacity = self.policy.concurrency - len(self._inflight)
        room = {name: self._tasks_per_channel - self._inflight_by_channel[name]
                for name in self.messengers if not self._paused(name)}
        try:
            return await claim_due(self.session_factory, per_channel=room, limit=capacity, claimer=self.claimer)
        except Exception:
            # Database briefly unreachable or a write conflict between processes: try again next round.
            logger.warning("claiming outbox items failed; retrying", exc_info=True)
            return []

    async def _deliver(self, item: ClaimedItem | None) -> None:
        """Send ``item``, then the chat's following items while they are due, in this one task."""
        while item is not None:
            try:
                item = await self._attempt(item)
            except Exception:
                # Recording the outcome failed (database gone?): the item stays locked and is tried
                # again when its lock expires.
                logger.exception("recording the delivery of outbox item %s failed", item.id)
                return

    async def _attempt(self, item: ClaimedItem) -> ClaimedItem | None:
        """One delivery attempt; returns the chat's next item when it was claimed right after."""
        messenger = self.messengers[item.channel]
        try:
            ids = await self._send_parts(messenger, item)
        except _ChannelPaused as exc:
            # Not an attempt: the item keeps its place at the head of its chat, due when the pause ends.
            logger.info("outbox item %s (%s/%s) held back: %s", item.id, item.channel, item.chat_id, exc)
            await hold_back(self.session_factory, item, next_attempt_at=utcnow() + timedelta(seconds=exc.seconds_left))
        except _ClaimTooOld:
            # A starved event loop, or a long wait for the channel: another worker may take the item
            # over meanwhile, and sending now could deliver it twice or after the chat's next one.
            logger.warning("outbox item %s: claim too old to send; leaving it to be claimed again", item.id)
        except RetryLater as exc:
            await self._retry(item, str(exc), exc.retry_after)
        except PermanentFailure as exc:
            await self._give_up(item, str(exc), "failed", unsubscribed=exc.unsubscribed)
        except TimeoutError:
            await self._retry(item, f"no answer within {self.policy.send_timeout:.0f}s", None)
        except Exception as exc:
            logger.exception("sending outbox item %s failed unexpectedly", item.id)
            await self._retry(item, f"{type(exc).__name__}: {exc}", None)
        else:
            claim_next = None if self._stopping or self._paused(item.channel) else self.claimer
            receipts = getattr(self.messengers[item.channel], "sends_receipts", False)
            message, following = await self._while_claim_holds(
                item, lambda: mark_sent(self.session_factory, item, ids, claim_next=claim_next, receipts=receipts))
            await self._publish_status(message)
            return following
        return None

    async def _while_claim_holds(self, item: ClaimedItem, record: Callable[[], Awaitable[T]]) -> T:
        """``record()`` what was already sent, retried until it succeeds or the claim runs out.

        Once the channel has the message, failing to record it means the item is claimed again when
        its lock expires and sent a second time (the Bot API has no idempotency key). A database
        restart lasts seconds and the lock tens of seconds, so keep trying while the claim holds;
        recording is safe to repeat (a claim that was taken over records nothing).
        """
        delay = RECORD_RETRY_FIRST
        while True:
            try:
                return await record()
            except Exception:
                if utcnow() + timedelta(seconds=delay) >= item.locked_until:
                    raise
                logger.warning("recording outbox item %s failed; retrying in %.1fs", item.id, delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECORD_RETRY_MAX)

    async def _send_parts(self, messenger: Messenger, item: ClaimedItem) -> list[str]:
        # Parts are cut the same way on every attempt, so the ids saved so far say which ones went out.
        sent_ids = list(item.payload.get("sent_part_ids", []))
        # The channel gets the message id (web chat acknowledges by it), not the worker's bookkeeping.
        message = {key: value for key, value in item.payload.items() if key != "sent_part_ids"}
        message["message_id"] = item.message_id
        parts = message_parts(message, getattr(messenger, "max_text_length", None),
                              getattr(messenger, "text_length", len))
        for index in range(len(sent_ids), len(parts)):
            result = await self._send_in_slot(messenger, item, parts[index])
            sent_ids.extend(result.channel_message_ids)
            if index < len(parts) - 1:
                await self._while_claim_holds(item, lambda: save_progress(self.session_factory, item, sent_ids))
        return sent_ids

    async def _send_in_slot(self, messenger: Messenger, item: ClaimedItem, part: dict) -> SendResult:
        """Send one part while holding one of the channel's few slots, unless it must not go out now.

        Raises:
            _ChannelPaused: the channel was paused meanwhile (after the claim, or while waiting for the slot).
            _ClaimTooOld: the send could no longer finish within the item's claim.
        """
        async with self._slots[item.channel]:
            if (seconds_left := self._pause_left(item.channel)) > 0:
                raise _ChannelPaused(seconds_left)
            if utcnow() + timedelta(seconds=self.policy.send_timeout) > item.locked_until:
                raise _ClaimTooOld(item.id)
            try:
                return await asyncio.wait_for(messenger.send(item.chat_id, part), self.policy.send_timeout)
            except RetryLater as exc:
                if exc.retry_after is not None:
                    # Paused before the slot is free: the send waiting for it must already see the pause.
                    self._pause(item.channel, exc.retry_after)
                raise

    async def _retry(self, item: ClaimedItem, error: str, retry_after: float | None) -> None:
        if retry_after is not None:
            delay = retry_after + random.uniform(0, 0.1 * retry_after + 0.05)
            await self.bus.publish_or_log(events.CHANNEL_PAUSED, {"channel": item.channel, "seconds": retry_after})
        else:
            delay = self.policy.backoff(item.attempts)
        next_attempt_at = utcnow() + timedelta(seconds=delay)
        if next_attempt_at > item.created_at + timedelta(seconds=self.policy.give_up_after):
            await self._give_up(item, f"gave up after {item.attempts} attempts: {error}", "dead")
            return
        logger.info("outbox item %s (%s/%s) failed: %s; retrying in %.2fs", item.id, item.channel, item.chat_id,
                    error, delay)
        await mark_retry(self.session_factory, item, error=error, next_attempt_at=next_attempt_at)

    async def _give_up(self, item: ClaimedItem, error: str, delivery_status: str, *,
                       unsubscribed: bool = False) -> None:
        logger.warning("outbox item %s (%s/%s) is dead: %s", item.id, item.channel, item.chat_id, error)
        message = await mark_dead(self.session_factory, item, error=error, delivery_status=delivery_status,
                                  unsubscribed=unsubscribed)
        await self._publish_status(message)
        await self.bus.publish_or_log(events.OUTBOX_DEAD, {
            "outbox_id": item.id, "message_id": item.message_id, "channel": item.channel, "chat_id": item.chat_id,
            "payload": item.payload, "error": error,
        })

    async def _publish_status(self, message) -> None:
        if message is not None:
            await self.bus.publish_or_log(events.MESSAGE_STATUS, {
                "conversation_id": message.conversation_id, "message_id": message.id,
                "delivery_status": message.delivery_status,
            })

