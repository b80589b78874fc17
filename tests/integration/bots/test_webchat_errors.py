"""Web chat failures over a real WebSocket: an error is logged once with its traceback (never the
visitor's text), a visitor leaving is no error, and the message whose handling failed is not lost.

The failures are real: a table the code needs is renamed away for a moment, as a half-applied
migration or a restored backup would leave it; nothing in the code under test is patched.
"""

import asyncio
import json
import logging
import uuid
from contextlib import asynccontextmanager

import httpx
import pytest
import websockets
from sqlalchemy import text

from tests.support.channels import channel_settings, delivery_test_steps, eventually, stored_messages
from tests.support.live_server import LiveServer
from tests.support.staff import bearer_for

SECRET = "my card is 4111 1111 1111 1111"  # what must never reach the log


@pytest.fixture
def server(settings, backend):
    with LiveServer(channel_settings(backend), flow_steps=delivery_test_steps()) as live:
        yield live


@asynccontextmanager
async def table_gone(session_factory, table: str):
    """``table`` is missing from the database inside the block (renamed away, then back)."""
    async with session_factory() as session, session.begin():
        await session.execute(text(f"ALTER TABLE {table} RENAME TO {table}_away"))
    try:
        yield
    finally:
        async with session_factory() as session, session.begin():
            await session.execute(text(f"ALTER TABLE {table}_away RENAME TO {table}"))


def connect(server, visitor):
    return websockets.connect(f"{server.ws_url}/chat/ws?visitor={visitor}&lang=en")


async def frames_until(socket, kind: str) -> dict:
    """The first frame of type ``kind`` (earlier frames are skipped)."""
    async with asyncio.timeout(10):
        while (frame := json.loads(await socket.recv()))["type"] != kind:
            pass
    return frame


def error_records(caplog, *loggers: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR and r.name in loggers]


def assert_private(caplog) -> None:
    """No log line of the whole run, tracebacks included, carries the visitor's text."""
    formatter = logging.Formatter()
    # The card number with its space: a bare "4111" also turns up in random ports and visitor ids.
    assert not [r.name for r in caplog.records if "4111 1111" in formatter.format(r)]


async def test_a_failure_in_the_socket_is_logged_once_and_the_message_is_stored_after_the_resend(
        server, session_factory, caplog):
    caplog.set_level(logging.INFO)
    visitor = uuid.uuid4().hex
    frame = {"type": "message", "id": "c1", "text": SECRET}
    async with connect(server, visitor) as socket:
        await frames_until(socket, "history")
        async with table_gone(session_factory, "messages"):
            await socket.send(json.dumps(frame))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 10)
    assert closed.value.rcvd.code == 4500

    [record] = error_records(caplog, "bots.webchat.routes", "bots.flow")
    assert record.name == "bots.webchat.routes"
    assert record.getMessage() == f"web chat socket of visitor {visitor} failed"
    assert record.exc_info is not None
    assert "Traceback" in logging.Formatter().format(record) and "messages" in str(record.exc_info[1])
    assert_private(caplog)
    assert await stored_messages(session_factory) == []  # the transaction rolled back as a whole

    # What the browser does: it kept the frame (never accepted) and sends it again after reconnecting.
    async with connect(server, visitor) as socket:
        assert (await frames_until(socket, "history"))["messages"] == []
        await socket.send(json.dumps(frame))
        accepted = await frames_until(socket, "accepted")
        assert (await frames_until(socket, "message"))["text"] == f"echo: {SECRET}"
    [stored] = await stored_messages(session_factory, "in")
    assert accepted == {"type": "accepted", "id": "c1", "message_id": stored.id}
    assert [m.text for m in await stored_messages(session_factory, "in")] == [SECRET]


async def test_a_failing_flow_keeps_the_message_for_agents_and_the_socket_open(server, session_factory, caplog):
    caplog.set_level(logging.INFO)
    visitor = uuid.uuid4().hex
    async with connect(server, visitor) as socket:
        await frames_until(socket, "history")
        async with table_gone(session_factory, "outbox"):  # the echo step's reply cannot be queued
            await socket.send(json.dumps({"type": "message", "id": "c1", "text": SECRET}))
            accepted = await frames_until(socket, "accepted")
            [stored] = await stored_messages(session_factory, "in")
            assert accepted == {"type": "accepted", "id": "c1", "message_id": stored.id}
        await socket.send(json.dumps({"type": "message", "id": "c2", "text": "still there?"}))
        assert (await frames_until(socket, "message"))["text"] == "echo: still there?"

    [record] = error_records(caplog, "bots.webchat.routes", "bots.flow")
    assert record.name == "bots.flow"
    assert record.getMessage() == f"the flow failed on webchat/{visitor}:c1; the message is stored without replies"
    assert "outbox" in str(record.exc_info[1])
    assert_private(caplog)
    [first, _, _] = await stored_messages(session_factory)
    assert (first.direction, first.text) == ("in", SECRET)
    headers = await bearer_for(session_factory, "agent")
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
        timeline = (await client.get(f"/api/conversations/{first.conversation_id}/messages")).json()
    assert [(m["author"], m["text"]) for m in timeline] == [
        ("customer", SECRET), ("customer", "still there?"), ("bot", "echo: still there?")]


async def slow_echo(ctx) -> None:
    """The echo step, a moment late: long enough for the visitor to leave before the answer."""
    await asyncio.sleep(0.5)
    ctx.reply(f"echo: {ctx.inbound.text}")


async def test_a_visitor_leaving_is_not_an_error(settings, backend, session_factory, caplog):
    """The slow step (given through ``create_app``'s ``flow_steps``) makes the server answer a socket
    the visitor has already closed, every time rather than by luck of timing."""
    caplog.set_level(logging.INFO)
    visitor = uuid.uuid4().hex
    with LiveServer(channel_settings(backend), flow_steps=[slow_echo]) as server:
        async with connect(server, visitor) as socket:
            await frames_until(socket, "history")
        async with connect(server, visitor) as socket:
            await frames_until(socket, "history")
            await socket.send(json.dumps({"type": "message", "id": "c1", "text": "bye"}))

        async def answered():
            return len(await stored_messages(session_factory)) == 2

        await eventually(answered)
        await asyncio.sleep(0.3)  # the socket's "accepted" goes out just after the commit
    assert error_records(caplog, "bots.webchat.routes", "bots.flow") == []


async def broken_step(ctx) -> None:
    """A step with a bug: it fails on every message."""
    raise RuntimeError("a bug in a flow step")


async def test_a_message_the_bot_fails_on_goes_to_a_person(settings, backend, session_factory, caplog):
    """The broken step (given through ``create_app``'s ``flow_steps``) stands for any bug in the bot's
    steps; the rescue that follows is the product's own."""
    caplog.set_level(logging.INFO)
    visitor = uuid.uuid4().hex
    with LiveServer(channel_settings(backend), flow_steps=[broken_step]) as server:
        async with connect(server, visitor) as socket:
            await frames_until(socket, "history")
            await socket.send(json.dumps({"type": "message", "id": "c1", "text": SECRET}))
            # the rescue settles the conversation's language (from the socket's lang), which the page then speaks
            accepted = await frames_until(socket, "accepted")
            [stored] = await stored_messages(session_factory, "in")
            assert accepted == {"type": "accepted", "id": "c1", "message_id": stored.id, "language": "en"}
            notice = await frames_until(socket, "message")
        assert notice["text"].startswith("Connecting you with an agent — you are number 1 in the queue")

        headers = await bearer_for(session_factory, "agent")
        async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
            queued = (await client.get("/api/conversations", params={"status": "queued"})).json()
            [conversation] = queued
            assert conversation["handoff_reason"] == "bot_failure"
            timeline = (await client.get(f"/api/conversations/{conversation['id']}/messages")).json()
        assert [m["text"] for m in timeline if m["author"] == "customer"] == [SECRET]

    [record] = error_records(caplog, "bots.webchat.routes", "bots.flow")
    assert record.getMessage() == f"the flow failed on webchat/{visitor}:c1; the message is handed to a person"
    assert "a bug in a flow step" in str(record.exc_info[1])
    assert_private(caplog)
