"""``/api/ws`` refuses anyone who is not an agent, supervisor or admin, and an oversized frame from one
console closes only that console's socket."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support.handoff import make_agent, token_for
from tests.support.live_server import LiveServer


def _ws(base: str, token: str | None) -> str:
    return f"{base.replace('http', 'ws', 1)}/api/ws" + (f"?token={token}" if token is not None else "")


def _secret(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def _first_frame(socket) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), 10))


async def _refused(url: str) -> bool:
    """True when the server rejects the handshake or closes before sending anything."""
    try:
        async with connect(url) as socket:
            await _first_frame(socket)
    except (InvalidStatus, ConnectionClosed):
        return True
    return False


async def test_only_console_roles_may_connect(settings, session_factory) -> None:
    tokens = {role: _secret(await token_for(session_factory, await make_agent(
        session_factory, f"{role}@shop.ua", role=role))) for role in ("agent", "supervisor", "admin", "editor",
                                                                       "integration")}
    with LiveServer(settings) as server:
        for token in (None, "", "not-a-token", tokens["editor"], tokens["integration"]):
            assert await _refused(_ws(server.url, token)), token
        for role in ("agent", "supervisor", "admin"):
            async with connect(_ws(server.url, tokens[role])) as socket:
                assert (await _first_frame(socket))["topic"] == "hello"


async def test_an_oversized_frame_closes_only_the_sender(settings, session_factory) -> None:
    token = _secret(await token_for(session_factory, await make_agent(session_factory, "olena@shop.ua")))
    with LiveServer(settings) as server:
        async with connect(_ws(server.url, token)) as noisy, connect(_ws(server.url, token)) as quiet:
            await _first_frame(noisy), await _first_frame(quiet)
            await noisy.send("x" * 4097)
            with pytest.raises(ConnectionClosed) as closed:
                await _first_frame(noisy)
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1009, "messages are limited to 4096 bytes")
            await quiet.send("ping")
            assert (await _first_frame(quiet))["topic"] == "pong"
