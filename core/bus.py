"""The event bus: how one part of Relaydesk tells the others (in this process or all of them).

Modelled on litestar's channels backends: a small abstract class with an in-memory backend for the
embedded single process and a Redis pub/sub backend when several processes serve. Events are JSON
objects published on a topic; listeners are async callables. A listener that raises is logged and
the bus carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Awaitable, Callable

from core.settings import Settings

logger = logging.getLogger(__name__)

Listener = Callable[[str, dict], Awaitable[None]]


class EventBus(ABC):
    """Publish/subscribe of JSON events by topic. ``subscribe("*", ...)`` receives every topic."""

    def __init__(self) -> None:
        self._listeners: dict[str, list[Listener]] = defaultdict(list)
        self._on_subscribed: list[Callable[[], None]] = []

    def subscribe(self, topic: str, listener: Listener) -> Callable[[], None]:
        """Call ``listener(topic, event)`` for every event on ``topic``; returns an unsubscribe function."""
        self._listeners[topic].append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners[topic].remove(listener)

        return unsubscribe

    def on_subscribed(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback()`` each time this process (re)subscribes to the shared event channel.

        Events published while a process was not subscribed never reach it: a part that must not miss
        a change catches up from the database when called. The in-process bus never loses its
        subscription and never calls. Returns a function that removes the callback.
        """
        self._on_subscribed.append(callback)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._on_subscribed.remove(callback)

        return remove

    def _subscribed(self) -> None:
        for callback in list(self._on_subscribed):
            try:
                callback()
            except Exception:
                logger.exception("bus subscription callback %r failed", callback)

    async def publish_or_log(self, topic: str, event: dict) -> bool:
        """Publish; when the bus is unreachable, log and give the event to this process's listeners only.

        For events published after the database already holds what they announce: a request or a
        socket must not fail for them. This process still acts on them (a notification still fails
        over to the next messenger, its own consoles still update); the other processes catch up from
        the database (see ``on_subscribed``). Returns whether the event went out to every process.
        """
        try:
            await self.publish(topic, event)
        except Exception as exc:
            logger.warning("event %s reached only this process's listeners (the bus is unreachable): %s", topic, exc)
            await self._dispatch(topic, json.loads(json.dumps(event, default=str)))
            return False
        return True

    @abstractmethod
    async def publish(self, topic: str, event: dict) -> None:
        """Deliver ``event`` to every subscriber of ``topic`` in every process sharing this bus."""

    async def start(self) -> None:
        """Open connections; called once at application start."""

    async def stop(self) -> None:
        """Close connections; called once at shutdown."""

    async def ping(self) -> None:
        """Raise when the bus backend is unreachable (used by ``/ready``)."""

    async def wait_ready(self) -> None:
        """Wait until events published from now on will reach this process's listeners."""

    async def _dispatch(self, topic: str, event: dict) -> None:
        for listener in [*self._listeners.get(topic, ()), *self._listeners.get("*", ())]:
            try:
                await listener(topic, event)
            except Exception:
                logger.exception("bus listener %r failed on topic %s", listener, topic)


class MemoryEventBus(EventBus):
    """In-process bus for the embedded single-process setup."""

    async def publish(self, topic: str, event: dict) -> None:
        # Round-trip through JSON so that the memory backend rejects what Redis would reject.
        await self._dispatch(topic, json.loads(json.dumps(event, default=str)))


class RedisEventBus(EventBus):
    """Bus over Redis pub/sub, shared by every process that points at the same Redis and prefix."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        super().__init__()
        self._redis_url = redis_url
        self._channel = f"{prefix}:events"
        self._redis = None
        self._reader: asyncio.Task | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(self._redis_url, decode_responses=True)
        self._reader = asyncio.create_task(self._read_forever(), name="relaydesk-bus-reader")
        # Start even when Redis is down (the reader keeps reconnecting and /ready reports it),
        # but give a reachable Redis the time to confirm the subscription first.
        try:
            await asyncio.wait_for(self.wait_ready(), timeout=3)
        except TimeoutError:
            logger.warning("Redis at %s is not reachable yet; the bus keeps retrying",
                           _without_password(self._redis_url))

    async def wait_ready(self) -> None:
        """Wait until the subscription to the shared channel is established."""
        await self._ready.wait()

    async def stop(self) -> None:
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._redis:
            await self._redis.aclose()

    async def ping(self) -> None:
        if self._redis is None:
            raise RuntimeError("bus not started")
        await self._redis.ping()
        # Redis answering is not enough: after a lost connection the reader waits out its backoff
        # before subscribing again, and until then this process misses every event the others publish.
        if not self._ready.is_set():
            raise ConnectionError("not subscribed to the event channel yet")

    async def publish(self, topic: str, event: dict) -> None:
        if self._redis is None:
            raise RuntimeError("bus not started")
        await self._redis.publish(self._channel, json.dumps({"topic": topic, "event": event}, default=str))

    async def _read_forever(self) -> None:
        """Read the channel, reconnecting with backoff when Redis goes away."""
        delay = 0.2
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._ready.set()
                    delay = 0.2
                    async for raw in pubsub.listen():
                        if raw["type"] == "subscribe":
                            # Redis confirms every subscription, also one redis-py renewed by itself
                            # after a dropped connection without raising here: events may have been lost.
                            self._subscribed()
                        elif raw["type"] == "message":
                            envelope = json.loads(raw["data"])
                            await self._dispatch(envelope["topic"], envelope["event"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._ready.clear()
                logger.warning("Redis bus connection lost (%s); reconnecting in %.1fs", exc, delay,
                               exc_info=not unreachable(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)


def unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says only that Redis cannot be reached (down, refusing, timing out).

    Its message is all there is to tell: a traceback on every reconnect buried the log, and a
    one-off command printed ten of them (found by QA). Anything else keeps its traceback.
    """
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return isinstance(exc, OSError | RedisConnectionError | RedisTimeoutError)


def _without_password(url: str) -> str:
    # Logs must not carry credentials: redis://:secret@host:6379/0 -> redis://:***@host:6379/0
    return re.sub(r"(//[^/@]*?:)[^/@]*@", r"\1***@", url)


def create_bus(settings: Settings) -> EventBus:
    """The Redis bus when ``REDIS_URL`` is set, the in-memory one otherwise."""
    if settings.redis_url:
        return RedisEventBus(settings.redis_url, settings.redis_prefix)
    return MemoryEventBus()
