"""``/api/ws``: authenticated live console updates from the bus, role-filtered, size-limited."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from core.bus import create_bus
from core.database import utcnow
from core.models import Conversation
from tests.conftest import make_settings
from tests.support.handoff import make_agent, queued_request_for_a_person, token_for
from tests.support.live_server import LiveServer


def _ws_url(base: str, headers: dict[str, str]) -> str:
    token = headers["Authorization"].removeprefix("Bearer ")
    return f"{base.replace('http', 'ws', 1)}/api/ws?token={token}"


async def _frame(socket, within: float = 10.0) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), within))


async def _frames_until(socket, predicate, within: float = 10.0) -> list[dict]:
    seen = []
    async with asyncio.timeout(within):
        while True:
            seen.append(await _frame(socket, within))
            if predicate(seen[-1]):
                return seen


@pytest.fixture
async def people(session_factory):
    return {"olena": await make_agent(session_factory, "olena@shop.ua", name="Olena"),
            "boss": await make_agent(session_factory, "boss@shop.ua", role="supervisor"),
            "editor": await make_agent(session_factory, "editor@shop.ua", role="editor")}


async def test_console_sees_a_take_live(settings, session_factory, people) -> None:
    conversation_id = await queued_request_for_a_person(settings, session_factory)
    olena = await token_for(session_factory, people["olena"])
    with LiveServer(settings) as server:
        base = server.url
        async with connect(_ws_url(base, olena)) as socket:
            assert (await _frame(socket))["topic"] == "hello"
            async with httpx.AsyncClient(base_url=base) as http:
                response = await http.post(f"/api/conversations/{conversation_id}/assign", json={}, headers=olena)
                assert response.status_code == 200
            frames = await _frames_until(socket, lambda f: f["topic"] == "conversation.updated")
            event = frames[-1]["event"]
            assert (event["conversation_id"], event["status"], event["change"], event["assignee_id"]) == (
                conversation_id, "assigned", "assigned", people["olena"])
            await socket.send("ping")
            assert (await _frames_until(socket, lambda f: f["topic"] == "pong"))[-1]["topic"] == "pong"


async def test_unauthenticated_and_editors_are_refused(settings, session_factory, people) -> None:
    editor = await token_for(session_factory, people["editor"])
    with LiveServer(settings) as server:
        base = server.url
        with pytest.raises(InvalidStatus) as missing:
            async with connect(f"{base.replace('http', 'ws', 1)}/api/ws"):
                pass
        assert missing.value.response.status_code in (401, 403)
        with pytest.raises((InvalidStatus, ConnectionClosed)):
            async with connect(_ws_url(base, editor)) as socket:
                await _frame(socket, 5)


async def test_an_oversized_frame_closes_the_socket_with_1009(settings, session_factory, people) -> None:
    olena = await token_for(session_factory, people["olena"])
    with LiveServer(settings) as server:
        base = server.url
        async with connect(_ws_url(base, olena)) as socket:
            await _frame(socket)
            await socket.send("x" * 5000)
            with pytest.raises(ConnectionClosed) as closed:
                await _frame(socket)
            assert closed.value.rcvd.code == 1009


async def test_sla_alerts_reach_supervisors_not_other_agents(backend, settings, session_factory, people,
                                                             monkeypatch) -> None:
    monkeypatch.setenv("RELAYDESK_SLA_CHECK_INTERVAL_S", "0.1")
    conversation_id = await queued_request_for_a_person(settings, session_factory)
    olena = await token_for(session_factory, people["olena"])
    boss = await token_for(session_factory, people["boss"])
    server_settings = make_settings(backend, run_workers=True, redis_prefix=settings.redis_prefix)
    with LiveServer(server_settings) as server:
        base = server.url
        async with connect(_ws_url(base, olena)) as agent_socket, connect(_ws_url(base, boss)) as boss_socket:
            await _frame(agent_socket), await _frame(boss_socket)
            async with session_factory() as session, session.begin():
                await session.execute(update(Conversation).where(Conversation.id == conversation_id)
                                      .values(first_response_due_at=utcnow() - timedelta(seconds=1)))
            alert = (await _frames_until(boss_socket, lambda f: f["topic"] == "sla.breached"))[-1]["event"]
            assert (alert["conversation_id"], alert["kind"]) == (conversation_id, "first_response")
            agent_frames = await _frames_until(
                agent_socket, lambda f: f["topic"] == "conversation.updated" and f["event"]["change"] == "sla_breach")
            assert "sla.breached" not in [f["topic"] for f in agent_frames]


async def test_events_published_by_another_process_arrive(backend, settings, session_factory, people) -> None:
    if not backend.redis_url:
        pytest.skip("the embedded backend has one process; this runs in the PostgreSQL + Redis pass")
    olena = await token_for(session_factory, people["olena"])
    other_process_bus = create_bus(settings)
    await other_process_bus.start()
    try:
        with LiveServer(settings) as server:
            base = server.url
            async with connect(_ws_url(base, olena)) as socket:
                await _frame(socket)
                await other_process_bus.publish("message.created", {"conversation_id": 7, "message_id": 9,
                                                                    "direction": "in", "author": "customer"})
                frame = (await _frames_until(socket, lambda f: f["topic"] == "message.created"))[-1]
                assert frame["event"]["message_id"] == 9
    finally:
        await other_process_bus.stop()
