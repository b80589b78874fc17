"""A console connected to one process sees live events that another process produced (through Redis)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from sqlalchemy import select
from websockets.asyncio.client import connect

from core.models import Message
from tests.support import telegram_payloads as tp
from tests.support.channels import TELEGRAM_WEBHOOK, WEBHOOK_SECRET
from tests.support.live_server import LiveServer
from tests.support.scaleout import ServeNode, cluster_env, frames_until
from tests.support.staff import bearer_for
from tests.support.telegram_double import TelegramDouble

pytestmark = pytest.mark.slow


async def test_console_on_process_a_sees_a_message_taken_in_by_process_b(backend, settings, session_factory):
    if not backend.redis_url:
        pytest.skip("processes share the event bus through Redis; this runs in the PostgreSQL + Redis pass")
    token = (await bearer_for(session_factory, "agent"))["Authorization"].removeprefix("Bearer ")
    update = tp.text_update("Is the blue kettle in stock?", 7_000_001)
    with TelegramDouble() as telegram, LiveServer(settings) as process_a:
        process_b = ServeNode(cluster_env(settings, telegram))
        await asyncio.to_thread(process_b.start)
        try:
            async with connect(f"{process_a.ws_url}/api/ws?token={token}") as console:
                assert json.loads(await asyncio.wait_for(console.recv(), 10))["topic"] == "hello"
                async with httpx.AsyncClient(timeout=30) as client:
                    response = await client.post(f"{process_b.url}{TELEGRAM_WEBHOOK}", json=update,
                                                 headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
                assert response.status_code == 200
                frame = await frames_until(console, lambda f: f["topic"] == "message.created"
                                            and f["event"]["direction"] == "in", within=30)
        finally:
            process_b.stop()
    async with session_factory() as session:
        stored = await session.scalar(select(Message).where(Message.dedup_key == str(update["update_id"])))
    assert frame["event"]["message_id"] == stored.id
    assert frame["event"]["conversation_id"] == stored.conversation_id
