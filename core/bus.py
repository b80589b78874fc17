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
import uuid
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Awaitable, Callable

from core.settings import Settings

logger = logging.getLogger(__name__)

Listener = Callable[[str, dict], Awaitable[None]]

# Redis that drops packets (a firewall, a dead host) held a connect for the OS timeout, about two minutes
# (redis-py before 8 sets no timeout; 8 sets 5 s and retries), and a webhook publishes several events
# before it answers: Telegram gave up and sent it again.
CONNECT_TIMEOUT = 2.0
# The same bound for each command of the publishing connection. Not for the reader's connection: it
# waits on an idle channel for as long as nobody publishes, and redis-py 5 applied this timeout to that wait.
COMMAND_TIMEOUT = 2.0


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
            _log_unpublished(topic, exc)
            await self._dispatch(topic, _as_sent(event))
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
        await self._dispatch(topic, _as_sent(event))


class RedisEventBus(EventBus):
    """Bus over Redis pub/sub, shared by every process that points at the same Redis and prefix."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        super().__init__()
        self._redis_url = redis_url
        self._channel = f"{prefix}:events"
        self._redis = None
        self._reader_redis = None
        self._reader: asyncio.Task | None = None
        # Set once Redis confirms the subscription, cleared when the reader loses it.
        self._ready = asyncio.Event()
        # Marks the events this process already gave its own listeners, so its reader skips them.
        self._process_id = uuid.uuid4().hex

    async def start(self) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        # No retry: each would add the bounds above again for every event. A pooled connection that
        # Redis dropped (a restart) is found and replaced when taken from the pool, before any command.
        self._redis = Redis.from_url(self._redis_url, decode_responses=True, socket_connect_timeout=CONNECT_TIMEOUT,
                                     socket_timeout=COMMAND_TIMEOUT, retry=Retry(NoBackoff(), 0))
        self._reader_redis = Redis.from_url(self._redis_url, decode_responses=True,
                                            socket_connect_timeout=CONNECT_TIMEOUT)
        self._reader = asyncio.create_task(self._read_forever(), name="relaydesk-bus-reader")
        # Start even when Redis is down (the reader keeps reconnecting and /ready reports it),
        # but give a reachable Redis the time to confirm the subscription first.
        try:
            await asyncio.wait_for(self.wait_ready(), timeout=3)
        except TimeoutError:
            logger.warning("Redis at %s is not reachable yet; the bus keeps retrying",
                           _without_password(self._redis_url))

    async def wait_ready(self) -> None:
        """Wait until Redis has confirmed the subscription to the shared channel."""
        await self._ready.wait()

    async def publish_or_log(self, topic: str, event: dict) -> bool:
        """Publish, and give the event to this process's listeners at once while its reader is not subscribed.

        Such an event would not come back to this process through Redis, however well publishing goes,
        and a black-holed Redis takes ``CONNECT_TIMEOUT`` or ``COMMAND_TIMEOUT`` to fail. The envelope
        names this process so that a reader subscribing meanwhile skips it.
        """
        if self._ready.is_set():
            return await super().publish_or_log(topic, event)
        await self._dispatch(topic, _as_sent(event))
        try:
            await self._send(topic, event, delivered_in=self._process_id)
        except Exception as exc:
            _log_unpublished(topic, exc)
            return False
        return True

    async def stop(self) -> None:
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        for client in (self._redis, self._reader_redis):
            if client:
                await client.aclose()

    async def ping(self) -> None:
        if self._redis is None:
            raise RuntimeError("bus not started")
        await self._redis.ping()
        # Redis answering is not enough: after a lost connection the reader waits out its backoff
        # before subscribing again, and until then this process misses every event the others publish.
        if not self._ready.is_set():
            raise ConnectionError("not subscribed to the event channel yet")

    async def publish(self, topic: str, event: dict) -> None:
        await self._send(topic, event, delivered_in=None)

    async def _send(self, topic: str, event: dict, delivered_in: str | None) -> None:
        if self._redis is None:
            raise RuntimeError("bus not started")
        envelope = {"topic": topic, "event": event, "delivered_in": delivered_in}
        await self._redis.publish(self._channel, json.dumps(envelope, default=str))

    async def _read_forever(self) -> None:
        """Read the channel, reconnecting with backoff when Redis goes away."""
        delay = 0.2
        while True:
            try:
                async with self._reader_redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    async for raw in pubsub.listen():
                        if raw["type"] == "subscribe":
                            # Redis confirms every subscription, also one redis-py renewed by itself
                            # after a dropped connection without raising here: events may have been lost.
                            # Only from here on do events come back to this process (publish_or_log).
                            self._ready.set()
                            delay = 0.2
                            self._subscribed()
                        elif raw["type"] == "message":
                            envelope = json.loads(raw["data"])
                            if envelope.get("delivered_in") != self._process_id:
                                await self._dispatch(envelope["topic"], envelope["event"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._ready.clear()
                logger.warning("Redis bus connection lost (%s); reconnecting in %.1fs", exc, delay,
                               exc_info=not unreachable(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)


def _as_sent(event: dict) -> dict:
    # What a listener in another process gets: the event after its trip through JSON.
    return json.loads(json.dumps(event, default=str))


def _log_unpublished(topic: str, exc: Exception) -> None:
    logger.warning("event %s reached only this process's listeners (the bus is unreachable): %s", topic, exc)


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
