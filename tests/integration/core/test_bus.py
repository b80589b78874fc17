"""The event bus: in-process delivery, listener failures, and delivery across app instances via Redis."""

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from core.bus import MemoryEventBus, RedisEventBus, create_bus, unreachable
from knowledge_base.changes import announce_change
from tests.conftest import make_settings
from tests.support.channels import eventually
from tests.support.private_services import private_redis


def _closed_port() -> int:
    """A local port nothing listens on (bound once, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def _dropping_connections() -> Iterator[int]:
    """A local port whose connects hang, as behind a firewall that drops packets.

    Nothing accepts, and once the backlog is full the kernel drops further SYNs without an answer.
    """
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(socket.socket())
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        for _ in range(8):
            filler = stack.enter_context(socket.socket())
            filler.settimeout(0.5)
            try:
                filler.connect(("127.0.0.1", port))
            except TimeoutError:
                break  # the backlog is full: connects hang from now on
        else:
            raise RuntimeError("the backlog never filled up")
        yield port


@contextlib.contextmanager
def _silent_after_connect() -> Iterator[int]:
    """A local port that takes connections (the kernel completes them) and never answers a byte."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


async def _collect(bus, topic: str) -> list:
    received: list = []

    async def listener(name: str, event: dict) -> None:
        received.append((name, event))

    bus.subscribe(topic, listener)
    return received


async def test_memory_bus_delivers_to_topic_and_wildcard_listeners() -> None:
    bus = MemoryEventBus()
    on_topic = await _collect(bus, "conversation.updated")
    on_all = await _collect(bus, "*")
    await bus.publish("conversation.updated", {"conversation_id": 7})
    await bus.publish("message.created", {"message_id": 1})
    assert on_topic == [("conversation.updated", {"conversation_id": 7})]
    assert [name for name, _ in on_all] == ["conversation.updated", "message.created"]


async def test_failing_listener_is_logged_and_others_still_receive(caplog) -> None:
    bus = MemoryEventBus()

    async def broken(_: str, __: dict) -> None:
        raise RuntimeError("listener bug")

    bus.subscribe("t", broken)
    received = await _collect(bus, "t")
    await bus.publish("t", {"n": 1})
    assert received == [("t", {"n": 1})]
    assert "listener bug" in caplog.text


async def test_unsubscribe_stops_delivery() -> None:
    bus = MemoryEventBus()
    received: list = []

    async def listener(name: str, event: dict) -> None:
        received.append(event)

    unsubscribe = bus.subscribe("t", listener)
    unsubscribe()
    await bus.publish("t", {"n": 1})
    assert received == []


def test_create_bus_picks_backend_from_settings(backend) -> None:
    bus = create_bus(make_settings(backend))
    assert isinstance(bus, RedisEventBus if backend.redis_url else MemoryEventBus)


async def test_publish_in_one_process_reaches_a_subscriber_in_another_through_redis(backend) -> None:
    if not backend.redis_url:
        pytest.skip("the embedded backend has no Redis; this runs in the PostgreSQL + Redis pass")
    settings = make_settings(backend)
    # Two buses with their own connections stand for two server processes sharing one Redis.
    bus_a, bus_b = create_bus(settings), create_bus(settings)
    await bus_a.start()
    await bus_b.start()
    try:
        await bus_b.wait_ready()
        received = await _collect(bus_b, "conversation.updated")
        await bus_a.publish("conversation.updated", {"conversation_id": 42, "status": "queued"})
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.02)
        assert received == [("conversation.updated", {"conversation_id": 42, "status": "queued"})]
    finally:
        await bus_a.stop()
        await bus_b.stop()


async def test_buses_with_another_prefix_do_not_hear_each_other(backend) -> None:
    if not backend.redis_url:
        pytest.skip("the embedded backend has no Redis; this runs in the PostgreSQL + Redis pass")
    bus_a, bus_b = create_bus(make_settings(backend)), create_bus(make_settings(backend))
    await bus_a.start()
    await bus_b.start()
    try:
        received = await _collect(bus_b, "*")
        await bus_a.publish("t", {"n": 1})
        await asyncio.sleep(0.2)
        assert received == []
    finally:
        await bus_a.stop()
        await bus_b.stop()


async def test_an_event_this_process_cannot_publish_still_reaches_its_own_listeners(caplog) -> None:
    # Found by the multi-process QA pass: a notification whose delivery died while Redis was unreachable
    # never failed over, because the dead letter's event reached no one (not even this process).
    closed_port = _closed_port()
    bus = RedisEventBus(f"redis://:pw-kept-out@127.0.0.1:{closed_port}/0", "rdtest-cut-off")
    await bus.start()
    received: list = []

    async def listener(topic: str, event: dict) -> None:
        received.append((topic, event))

    bus.subscribe("outbox.dead", listener)
    try:
        assert await bus.publish_or_log("outbox.dead", {"message_id": 7}) is False
    finally:
        await bus.stop()
    assert received == [("outbox.dead", {"message_id": 7})]
    assert "pw-kept-out" not in caplog.text


@pytest.mark.parametrize("black_hole", [_dropping_connections, _silent_after_connect])
async def test_a_black_holed_redis_holds_a_webhooks_events_for_seconds_not_minutes(black_hole) -> None:
    # Found in review: a Telegram webhook publishes several events before it answers, and each waited
    # for the OS connect timeout (about two minutes) while Redis dropped packets: Telegram gave up and resent.
    # What the webhook publishes: the incoming message, a reply, the outbox signal.
    sent = [("message.created", {"message_id": 1}), ("message.created", {"message_id": 2}), ("outbox.ready", {})]
    with black_hole() as port:
        bus = RedisEventBus(f"redis://127.0.0.1:{port}/0", "rdtest-black-hole")
        await bus.start()
        received = await _collect(bus, "*")

        async def webhook() -> list[bool]:
            return [await bus.publish_or_log(topic, event) for topic, event in sent]

        try:
            # Generous: core/bus.py bounds each at 2 s; redis-py's own defaults take 5 s (8.x) or minutes (5.x).
            published = await asyncio.wait_for(webhook(), timeout=12)
        finally:
            await bus.stop()
    assert published == [False, False, False]
    assert received == sent


async def test_an_event_published_while_this_reader_is_not_subscribed_reaches_own_listeners_once(backend) -> None:
    # Found in review: publishing worked, so publish_or_log left the event to Redis, but this process's
    # reader was not subscribed and its own listeners (failover, consoles) never got it.
    if not backend.redis_url:
        pytest.skip("the embedded backend has no Redis; this runs in the PostgreSQL + Redis pass")
    with private_redis() as redis:
        # A Redis user that may publish but not subscribe keeps this bus's reader down for the whole test.
        async with Redis.from_url(redis.url) as admin:
            await admin.execute_command("ACL", "SETUSER", "deaf", "on", ">pw", "~*", "&*", "+@all",
                                        "-subscribe", "-psubscribe", "-ssubscribe")
        deaf = RedisEventBus(f"redis://deaf:pw@127.0.0.1:{redis.port}/0", "rdtest-deaf")
        other = RedisEventBus(redis.url, "rdtest-deaf")
        await deaf.start()
        await other.start()
        try:
            await other.wait_ready()
            with pytest.raises(ConnectionError, match="not subscribed"):
                await deaf.ping()  # Redis answers it; only its reader is down
            own, theirs = await _collect(deaf, "t"), await _collect(other, "t")
            assert await deaf.publish_or_log("t", {"n": 1}) is True
            await eventually(lambda: bool(theirs), within=5)
            assert theirs == [("t", {"n": 1})]
            assert own == [("t", {"n": 1})]
        finally:
            await deaf.stop()
            await other.stop()


async def test_an_event_published_while_subscribed_reaches_own_listeners_once(backend) -> None:
    if not backend.redis_url:
        pytest.skip("the embedded backend has no Redis; this runs in the PostgreSQL + Redis pass")
    bus = create_bus(make_settings(backend))
    await bus.start()
    try:
        await bus.wait_ready()
        received = await _collect(bus, "*")
        assert await bus.publish_or_log("t", {"n": 1}) is True
        # Redis keeps the order of one connection's messages: once the second is in, a duplicate
        # of the first would have come before it.
        await bus.publish("fence", {})
        await eventually(lambda: len(received) >= 2, within=5)
        assert received == [("t", {"n": 1}), ("fence", {})]
    finally:
        await bus.stop()


async def test_redis_out_of_reach_is_one_line_each_time_not_a_traceback(caplog) -> None:
    # Found by QA: a one-off "kb import" with Redis down printed some 220 lines, ten tracebacks among them.
    closed_port = _closed_port()
    bus = RedisEventBus(f"redis://127.0.0.1:{closed_port}/0", "rdtest-one-line")
    await bus.start()
    try:
        await announce_change(bus, 7)  # what "kb import" does after saving
        for _ in range(100):  # the reader's first reconnect comes after 0.2 s
            if any("Redis bus connection lost" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.05)
    finally:
        await bus.stop()
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert {r.getMessage().split(" (")[0] for r in warnings} >= {
        "Redis bus connection lost", "could not announce the knowledge-base change on the bus"}
    assert [r.getMessage() for r in warnings if r.exc_info] == []


def test_other_failures_keep_their_traceback() -> None:
    assert not unreachable(RuntimeError("a bug"))
    assert unreachable(ConnectionRefusedError(111, "Connection refused"))
