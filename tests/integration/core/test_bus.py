"""The event bus: in-process delivery, listener failures, and delivery across app instances via Redis."""

import asyncio
import socket

import pytest

from core.bus import MemoryEventBus, RedisEventBus, create_bus, unreachable
from knowledge_base.changes import announce_change
from tests.conftest import make_settings


def _closed_port() -> int:
    """A local port nothing listens on (bound once, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
