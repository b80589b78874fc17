"""PostgreSQL, then Redis, restarted in the middle of webhook traffic to two ``relaydesk serve`` processes.

Both servers are the test's own (:mod:`tests.support.private_services`): the machine's shared ones
serve other test runs. The processes are not restarted: they must recover by themselves. Every
webhook answered 200 is stored exactly once, every stored reply reaches the Bot API double exactly
once and in order per chat, and ``/ready`` reports the outage and then recovers.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select
from websockets.asyncio.client import connect

from core.database import create_engine, create_session_factory
from core.models import Message
from core.settings import Settings
from tests.conftest import make_settings
from tests.support import telegram_payloads as tp
from tests.support.channels import TELEGRAM_WEBHOOK, WEBHOOK_SECRET, eventually
from tests.support.private_services import PrivatePostgres, PrivateRedis, private_postgres, private_redis
from tests.support.scaleout import (
    Attempt,
    DeliveryCheck,
    ServeNode,
    check_delivery,
    cluster_env,
    outbox_settled,
    plan_traffic,
    send_traffic,
    sent_out_of_order,
)
from tests.support.staff import bearer_for
from tests.support.telegram_double import TelegramDouble
from web.migrate import upgrade

pytestmark = pytest.mark.slow

MESSAGES = 100
SHOPPERS = 10
DUPLICATE_EVERY = 10
DOWN_SECONDS = 4.0  # long enough for webhooks, claims and sends to hit the outage more than once


@dataclass
class Servers:
    """The test's own PostgreSQL and Redis, and settings pointing at them."""

    postgres: PrivatePostgres
    redis: PrivateRedis
    settings: Settings


@dataclass
class FaultRun:
    """What one run of traffic across an outage produced."""

    update_ids: set[str]  # every update sent: the traffic's and any probe's
    delivery: DeliveryCheck
    out_of_order: list[int]
    attempts: list[Attempt]
    outage: tuple[float, float]  # time.monotonic() when the server was down, and when it was back
    ready_during: list[tuple[int, list[str]]]  # /ready status and what it named down, during the outage
    still_running: bool  # the processes started before the outage are the ones serving after it

    def attempts_during_outage(self) -> list[Attempt]:
        """POSTs sent while the server was down."""
        down, back = self.outage
        return [attempt for attempt in self.attempts if down <= attempt.at < back]


@pytest.fixture
def servers(backend) -> Iterator[Servers]:
    """A migrated private PostgreSQL and a private Redis (PostgreSQL + Redis pass only)."""
    if not backend.redis_url:
        pytest.skip("several processes share the database and the bus through Redis; "
                    "this runs in the PostgreSQL + Redis pass")
    with private_postgres() as postgres, private_redis() as redis:
        settings = make_settings(backend, database_url=postgres.url, redis_url=redis.url)
        upgrade(settings)
        yield Servers(postgres, redis, settings)


@pytest.fixture
async def session_factory(servers: Servers):
    """Sessions on the private PostgreSQL (pre-ping: the test's own connections outlive the restart)."""
    engine = create_engine(servers.settings)
    yield create_session_factory(engine)
    await engine.dispose()


async def test_postgres_restart_mid_traffic_loses_nothing(servers, session_factory):
    run = await _traffic_across_outage(servers.postgres, session_factory, servers.settings)

    _assert_recovered(run)
    # The outage reached the traffic: webhooks sent meanwhile were refused, so Telegram sends them
    # again, and each was stored once when it was (checked above).
    assert any(not attempt.accepted for attempt in run.attempts_during_outage())
    assert run.ready_during and all(seen == (503, ["database"]) for seen in run.ready_during), run.ready_during


async def test_redis_restart_mid_traffic_loses_nothing(servers, session_factory):
    run = await _traffic_across_outage(servers.redis, session_factory, servers.settings,
                                       once_ready=_probe_bus_reaches_every_process)

    _assert_recovered(run)
    # Redis only wakes workers, feeds consoles and shares rate limits; the database holds the truth,
    # so every webhook was still taken in while Redis was down.
    during = run.attempts_during_outage()
    assert during and all(attempt.accepted for attempt in during), sorted({a.outcome for a in during}, key=str)
    assert run.ready_during and all(seen == (503, ["redis"]) for seen in run.ready_during), run.ready_during


def _assert_recovered(run: FaultRun) -> None:
    assert run.still_running
    assert set(run.delivery.inbound_per_update) == run.update_ids
    assert set(run.delivery.inbound_per_update.values()) == {1}
    assert set(run.delivery.outbox_statuses) == {"sent"}
    assert sum(len(texts) for texts in run.delivery.expected_per_chat.values()) >= MESSAGES
    assert run.out_of_order == []
    # Nothing was killed, so nothing excuses a repeat: each chat got exactly its stored replies, in order.
    mismatched = run.delivery.mismatched_chats
    assert mismatched == [], run.delivery.describe(mismatched[:3])


async def _traffic_across_outage(server: PrivatePostgres | PrivateRedis, session_factory, settings: Settings, *,
                                 once_ready: Callable[[list[ServeNode], object], Awaitable[set[str]]] | None = None
                                 ) -> FaultRun:
    """Two processes take webhook traffic; ``server`` goes down for a while in the middle and comes back.

    ``once_ready(nodes, session_factory)`` runs as soon as every process reports ready again, while
    the traffic goes on; it returns the ids of any updates it sent.
    """
    plans = plan_traffic(shoppers=SHOPPERS, messages=MESSAGES, duplicate_every=DUPLICATE_EVERY)
    attempts: list[Attempt] = []
    with TelegramDouble() as telegram:
        nodes = [ServeNode(cluster_env(settings, telegram)) for _ in range(2)]
        traffic: asyncio.Task | None = None
        try:
            await asyncio.gather(*(asyncio.to_thread(node.start) for node in nodes))
            pids = [node.process.pid for node in nodes]
            traffic = asyncio.create_task(send_traffic([node.url for node in nodes], plans, attempts=attempts))
            await eventually(lambda: _stored_inbound_at_least(session_factory, MESSAGES // 3), within=300)
            await asyncio.to_thread(server.stop)
            down = time.monotonic()
            ready_during = await _watch_ready(nodes, DOWN_SECONDS)
            await asyncio.to_thread(server.start)
            back = time.monotonic()
            await eventually(lambda: _all_ready(nodes), within=30)
            probes = await once_ready(nodes, session_factory) if once_ready else set()
            await traffic
            await eventually(lambda: outbox_settled(session_factory), within=120)
            await asyncio.sleep(1)  # nothing more goes out after the outbox settled
            still_running = [node.process.pid for node in nodes] == pids and all(
                node.process.poll() is None for node in nodes)
        finally:
            if traffic is not None:
                traffic.cancel()  # when the run failed half-way
            for node in nodes:
                node.stop()
        delivery = await check_delivery(session_factory, telegram)
    planned = {str(planned.update["update_id"]) for plan in plans for planned in plan}
    return FaultRun(planned | probes, delivery, await sent_out_of_order(session_factory), attempts, (down, back),
                    ready_during, still_running)


async def _watch_ready(nodes: list[ServeNode], seconds: float) -> list[tuple[int, list[str]]]:
    """Poll every node's ``/ready`` for ``seconds``; the statuses and what they named down."""
    seen = []
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=5) as client:
        while time.monotonic() < deadline:
            for node in nodes:
                response = await client.get(f"{node.url}/ready")
                seen.append((response.status_code, response.json()["down"]))
            await asyncio.sleep(0.5)
    return seen


async def _all_ready(nodes: list[ServeNode]) -> bool:
    async with httpx.AsyncClient(timeout=5) as client:
        statuses = [(await client.get(f"{node.url}/ready")).status_code for node in nodes]
    return statuses == [200] * len(nodes)


async def _stored_inbound_at_least(session_factory, count: int) -> bool:
    async with session_factory() as session:
        stored = await session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in"))
    return stored >= count


async def _probe_bus_reaches_every_process(nodes: list[ServeNode], session_factory) -> set[str]:
    """A message one process takes in reaches consoles on every process: each one's bus is subscribed again.

    Run as soon as ``/ready`` is back: a process that reports ready must receive the others' events.
    """
    token = (await bearer_for(session_factory, "agent"))["Authorization"].removeprefix("Bearer ")
    update = tp.text_update("Is the blue kettle in stock?", 7_000_001)
    first_url, second_url = (node.url.replace("http://", "ws://") + f"/api/ws?token={token}" for node in nodes)
    async with connect(first_url) as first, connect(second_url) as second:
        for console in (first, second):
            assert json.loads(await asyncio.wait_for(console.recv(), 10))["topic"] == "hello"
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(f"{nodes[1].url}{TELEGRAM_WEBHOOK}", json=update,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
        assert response.status_code == 200
        for console in (first, second):
            await _frame_about(console, str(update["update_id"]), session_factory)
    return {str(update["update_id"])}


async def _frame_about(console, dedup_key: str, session_factory) -> None:
    async with session_factory() as session:
        message_id = await session.scalar(select(Message.id).where(Message.dedup_key == dedup_key))
    async with asyncio.timeout(30):
        while True:
            frame = json.loads(await console.recv())
            if frame["topic"] == "message.created" and frame["event"]["message_id"] == message_id:
                return
