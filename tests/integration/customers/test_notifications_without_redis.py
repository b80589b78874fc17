"""A process cut off from Redis still answers a notification it stored and queued with 201, and its logs
never show the Redis password (both found by the multi-process QA pass: a 500 made the shop's backend
retry and send the customer the notification twice; the password was logged in clear)."""

import logging
import socket

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from bots.flow import InboundFlow
from bots.steps import default_steps
from core.bus import MemoryEventBus
from core.customers.models import Notification
from tests.conftest import make_settings
from tests.support.customers import OKSANA, add_customers, role_headers, shopper

PASSWORD = "s3cret-redis-pw"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again on leaving: nothing listens there


async def test_a_notification_is_201_and_sent_once_while_redis_is_unreachable(backend, settings, session_factory,
                                                                              caplog) -> None:
    caplog.set_level(logging.WARNING)
    await add_customers(session_factory, settings, OKSANA)
    flow = InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps())
    await flow.process(shopper("telegram", "tg-1", kind="contact", phone="+380501234567", language="uk"))
    headers = await role_headers(session_factory, "integration")
    cut_off = make_settings(backend, redis_url=f"redis://:{PASSWORD}@127.0.0.1:{_closed_port()}/0")

    from web.app import create_app

    async with AsyncTestClient(app=create_app(cut_off)) as client:
        response = await client.post("/api/notifications", headers=headers["integration"], json={
            "customer": "shop-1", "template": "order_shipped", "params": {"number": "10234", "tracking": "TT1"}})

    assert response.status_code == 201, response.text
    assert [a["channel"] for a in response.json()["attempts"]] == ["telegram"]
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Notification.id))) == 1
    logged = "\n".join(logging.Formatter().format(record) for record in caplog.records)
    assert "reached only this process's listeners (the bus is unreachable)" in logged
    assert "not reachable yet" in logged and ":***@127.0.0.1" in logged
    assert PASSWORD not in logged
