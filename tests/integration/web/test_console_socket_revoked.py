"""A console socket does not outlive its session (found by the multi-process QA pass: after "log out
everywhere" or a token revoke, open sockets still answered pings and received every event)."""

from __future__ import annotations

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.handoff import make_agent, token_for
from tests.support.live_server import LiveServer


def _ws_url(base: str, headers: dict[str, str]) -> str:
    return f"{base.replace('http', 'ws', 1)}/api/ws?token={headers['Authorization'].removeprefix('Bearer ')}"


@pytest.mark.parametrize("everywhere", [True, False], ids=["logout-everywhere", "this-token"])
async def test_a_revoked_sessions_socket_is_closed_with_4401(settings, session_factory, everywhere) -> None:
    olena = await token_for(session_factory, await make_agent(session_factory, "olena@shop.ua", name="Olena"))
    with LiveServer(settings) as server:
        async with connect(_ws_url(server.url, olena)) as socket, httpx.AsyncClient(base_url=server.url) as http:
            await socket.recv()  # hello
            await socket.send("ping")
            assert '"pong"' in await socket.recv()
            logout = await http.post("/api/auth/logout", params={"everywhere": str(everywhere).lower()},
                                     headers=olena)
            assert logout.status_code == 200
            await socket.send("ping")
            with pytest.raises(ConnectionClosed) as closed:
                while True:  # events published before the close may still arrive first
                    assert '"pong"' not in await socket.recv()
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "signed out")
