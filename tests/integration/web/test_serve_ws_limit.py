"""``relaydesk serve`` bounds WebSocket frames at the protocol level by ``MAX_REQUEST_BYTES``."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.server import serve


async def test_a_frame_over_the_request_limit_is_refused_before_the_app_reads_it(settings) -> None:
    env = {"RELAYDESK_DATABASE_URL": settings.database_url, "RELAYDESK_MAX_REQUEST_BYTES": "65536"}
    with serve(env) as server:
        chat = f"{server.url.replace('http', 'ws', 1)}/chat/ws?visitor=0123456789abcdef0123456789abcdef"
        async with connect(chat, max_size=None) as socket:
            assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "history"
            await socket.send("x" * 70_000)
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 10)
            assert closed.value.rcvd.code == 1009
            assert "frames are limited" not in closed.value.rcvd.reason  # the protocol's refusal, not the app's
