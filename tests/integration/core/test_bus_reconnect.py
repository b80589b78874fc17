"""Regression: after Redis restarted, ``/ready`` (the bus's ping) said ready while the bus reader was still
waiting out its backoff, unsubscribed, so events other processes published then were lost to this one
(found by the Redis restart fault test, tests/integration/scaleout/test_restarts.py)."""

import asyncio
import subprocess

import pytest

from core.bus import RedisEventBus
from tests.support.channels import eventually
from tests.support.private_services import private_redis

DOWN_SECONDS = 2.0  # long enough for the reader's reconnect backoff to grow past a second


async def _pinged(bus: RedisEventBus) -> bool:
    try:
        await bus.ping()
    except Exception:
        return False
    return True


async def test_a_bus_that_answers_ping_after_a_redis_restart_receives_events(backend) -> None:
    if not backend.redis_url:
        pytest.skip("the embedded backend has no Redis; this runs in the PostgreSQL + Redis pass")
    with private_redis() as redis:
        # Two buses with their own connections stand for two server processes sharing one Redis.
        listening, publishing = RedisEventBus(redis.url, "rdtest"), RedisEventBus(redis.url, "rdtest")
        await listening.start()
        await publishing.start()
        received: list = []

        async def listener(topic: str, event: dict) -> None:
            received.append(event)

        listening.subscribe("t", listener)
        try:
            redis.stop()
            await asyncio.sleep(DOWN_SECONDS)
            assert not await _pinged(listening)
            redis.start()
            await eventually(lambda: _pinged(listening), within=15)
            await publishing.publish("t", {"n": 1})
            await eventually(lambda: bool(received), within=2)
            assert received == [{"n": 1}]
        finally:
            await listening.stop()
            await publishing.stop()


async def test_a_bus_whose_connection_was_killed_calls_back_once_subscribed_again(backend) -> None:
    """Events published while the subscription was down are lost; the callback lets listeners catch up."""
    if not backend.redis_url:
        pytest.skip("the embedded backend has no Redis; this runs in the PostgreSQL + Redis pass")
    with private_redis() as redis:
        bus = RedisEventBus(redis.url, "rdtest")
        await bus.start()
        calls: list[str] = []
        bus.on_subscribed(lambda: calls.append("subscribed"))
        try:
            killed = await asyncio.to_thread(
                subprocess.run, ["redis-cli", "-p", str(redis.port), "client", "kill", "type", "pubsub"],
                capture_output=True, text=True, check=True)
            assert killed.stdout.strip() == "1"
            await eventually(lambda: calls == ["subscribed"], within=10)
        finally:
            await bus.stop()
