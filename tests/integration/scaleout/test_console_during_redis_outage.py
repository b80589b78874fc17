"""A console while Redis is down and after it is back (found by the crash-and-outage QA pass).

While Redis was down, a shopper's message and the hand-off it caused never reached even the console on the
process that took the message in: the flow published with ``bus.publish``, the first event raised, and the
rest were skipped. And once Redis was back nothing told the consoles to reload, so a quiet desk kept
missing them.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.support import telegram_payloads as tp
from tests.support.channels import TELEGRAM_WEBHOOK, WEBHOOK_SECRET, channel_settings, eventually
from tests.support.live_server import LiveServer
from tests.support.private_services import private_redis
from tests.support.scaleout import frames_until
from tests.support.staff import bearer_for

pytestmark = pytest.mark.slow


async def _ready(url: str) -> bool:
    async with httpx.AsyncClient(timeout=5) as client:
        return (await client.get(f"{url}/ready")).status_code == 200


async def test_a_console_sees_its_process_s_hand_off_while_redis_is_down_and_resyncs_after(
        backend, session_factory, telegram) -> None:
    if not backend.redis_url:
        pytest.skip("the embedded backend has no Redis; this runs in the PostgreSQL + Redis pass")
    token = (await bearer_for(session_factory, "agent"))["Authorization"].removeprefix("Bearer ")
    with private_redis() as redis:
        settings = channel_settings(backend, telegram=telegram, redis_url=redis.url)
        with LiveServer(settings) as process:
            async with connect(f"{process.ws_url}/api/ws?token={token}") as console:
                assert json.loads(await asyncio.wait_for(console.recv(), 10))["topic"] == "hello"
                redis.stop()
                async with httpx.AsyncClient(timeout=30) as client:
                    response = await client.post(f"{process.url}{TELEGRAM_WEBHOOK}",
                                                 json=tp.text_update("оператор", 7_000_321),
                                                 headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
                assert response.status_code == 200
                message = await frames_until(console, lambda f: f["topic"] == "message.created"
                                              and f["event"]["direction"] == "in", within=20)
                handed_off = await frames_until(console, lambda f: f["topic"] == "conversation.updated",
                                                 within=20)
                assert handed_off["event"]["conversation_id"] == message["event"]["conversation_id"]

                redis.start()
                await eventually(lambda: _ready(process.url), within=30)
                await frames_until(console, lambda f: f["topic"] == "resync", within=20)
