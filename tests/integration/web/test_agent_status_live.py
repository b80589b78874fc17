"""Every status change reaches every open console over ``/api/ws`` (found by QA: panels and an agent's own
Status box kept the old status until a reload); with Redis, also consoles on another process."""

from __future__ import annotations

import asyncio
import contextlib
import json

import httpx
from websockets.asyncio.client import connect

from tests.support.handoff import make_agent, make_team, token_for
from tests.support.live_server import LiveServer


def _ws_url(base: str, headers: dict[str, str]) -> str:
    return f"{base.replace('http', 'ws', 1)}/api/ws?token={headers['Authorization'].removeprefix('Bearer ')}"


async def _status_frame(socket, agent_id: int) -> dict:
    """The next ``agent.status`` event about ``agent_id``, skipping other frames."""
    async with asyncio.timeout(10):
        while True:
            frame = json.loads(await socket.recv())
            if frame["topic"] == "agent.status" and frame["event"]["id"] == agent_id:
                return frame["event"]


async def test_status_changes_by_the_agent_and_by_a_supervisor_reach_every_console(backend, settings,
                                                                                   session_factory) -> None:
    await make_team(session_factory, "returns", skills=["returns"])
    andrii = await make_agent(session_factory, "andrii@shop.ua", team="returns", name="Andrii")
    olena = await make_agent(session_factory, "olena@shop.ua", team="returns", name="Olena")
    boss = await make_agent(session_factory, "taras@shop.ua", role="supervisor", name="Taras")
    tokens = {who: await token_for(session_factory, user) for who, user in
              (("andrii", andrii), ("olena", olena), ("boss", boss))}
    with contextlib.ExitStack() as stack:
        consoles_on = stack.enter_context(LiveServer(settings))
        # With Redis the change is made on another process than the one the consoles are connected to.
        changes_on = stack.enter_context(LiveServer(settings)) if backend.redis_url else consoles_on
        async with connect(_ws_url(consoles_on.url, tokens["boss"])) as boss_socket, \
                connect(_ws_url(consoles_on.url, tokens["olena"])) as olena_socket, \
                httpx.AsyncClient(base_url=changes_on.url) as http:
            await boss_socket.recv(), await olena_socket.recv()  # hello: subscribed
            mine = await http.post("/api/agents/me/status", json={"status": "online"}, headers=tokens["andrii"])
            assert mine.status_code == 200, mine.text
            seen = await _status_frame(boss_socket, andrii)
            assert (seen["name"], seen["status"]) == ("Andrii", "online")

            set_by_boss = await http.post(f"/api/agents/{olena}/status", json={"status": "away"},
                                          headers=tokens["boss"])
            assert set_by_boss.status_code == 200, set_by_boss.text
            assert (await _status_frame(olena_socket, olena))["status"] == "away"
            assert (await _status_frame(boss_socket, olena))["status"] == "away"


async def test_an_agent_signing_out_shows_offline_in_every_console(settings, session_factory) -> None:
    andrii = await make_agent(session_factory, "andrii@shop.ua", name="Andrii", status="online")
    boss = await make_agent(session_factory, "taras@shop.ua", role="supervisor", name="Taras")
    andriis, bosses = await token_for(session_factory, andrii), await token_for(session_factory, boss)
    with LiveServer(settings) as server:
        async with connect(_ws_url(server.url, bosses)) as boss_socket, \
                httpx.AsyncClient(base_url=server.url) as http:
            await boss_socket.recv()  # hello: subscribed
            assert (await http.post("/api/auth/logout", headers=andriis)).status_code == 200
            assert (await _status_frame(boss_socket, andrii))["status"] == "offline"
