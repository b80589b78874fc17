"""``/api/ws``: live console updates, forwarded from the bus (so every process's events arrive).

Authenticated by the app's middleware (session cookie, bearer header, or ``?token=`` for scripts).
Each console gets ``{"topic", "event"}`` JSON frames; SLA alerts go to supervisors and admins (and to
the agent who owns the conversation). The console may send small text frames ("ping"); a frame over
the size limit closes the socket with 1009. A socket whose session or token is revoked (sign-out,
"everywhere", a revoked API token, a deactivated account) is closed with 4401: at the console's next
ping, and at the latest ``SESSION_CHECK_S`` seconds later.

While the bus (Redis) is down, a console gets only this process's events; when the process has
subscribed again, each of its consoles gets ``{"topic": "resync"}`` and reloads what it shows, as
after a reconnect, since what other processes published meanwhile never arrives.
"""

from __future__ import annotations

import asyncio
import json
import logging
from functools import partial

from litestar import WebSocket, websocket

from core import events
from core.accounts import token_is_live
from web.api.publishing import handoff_config
from web.auth import AGENTS, SUPERVISORS, Principal, requires

logger = logging.getLogger(__name__)

FORWARDED_TOPICS = (events.CONVERSATION_UPDATED, events.MESSAGE_CREATED, events.MESSAGE_STATUS,
                    events.SLA_BREACHED, events.AGENT_STATUS)
RESYNC = "resync"  # the bus is back: events of other processes may have been missed, reload
MAX_PENDING = 500  # events buffered per console; a console this far behind reloads on reconnect
WS_MESSAGE_TOO_BIG = 1009
WS_TRY_AGAIN_LATER = 1013
WS_SIGNED_OUT = 4401  # 4000–4999 are the application's own close codes; 4401 reads as HTTP's 401
SESSION_CHECK_S = 30.0  # how long a revoked session's socket may stay open while its console is silent


def may_see(principal: Principal, topic: str, event: dict) -> bool:
    """Whether ``principal`` receives ``event``: SLA alerts only for supervisors and the owner."""
    if topic == events.SLA_BREACHED:
        return principal.role in SUPERVISORS or event.get("assignee_id") == principal.user_id
    return True


@websocket("/api/ws", guards=[requires(*AGENTS)])
async def live_updates(socket: WebSocket) -> None:
    """Stream bus events to one console until it disconnects."""
    services = socket.app.state.services
    limit = handoff_config(services).ws_max_message_bytes
    principal: Principal = socket.user
    pending: asyncio.Queue[dict | None] = asyncio.Queue()
    overflowed = False

    async def forward(topic: str, event: dict) -> None:
        nonlocal overflowed
        if overflowed or not may_see(principal, topic, event):
            return
        if pending.qsize() >= MAX_PENDING:
            overflowed = True
            pending.put_nowait(None)
            return
        pending.put_nowait({"topic": topic, "event": event})

    def resync() -> None:
        if not overflowed:
            pending.put_nowait({"topic": RESYNC, "event": {}})

    await socket.accept()
    unsubscribers = [services.bus.subscribe(topic, forward) for topic in FORWARDED_TOPICS]
    unsubscribers.append(services.bus.on_subscribed(resync))
    signed_in = partial(_still_signed_in, services.session_factory, principal)
    tasks = [asyncio.create_task(_send_forever(socket, pending)),
             asyncio.create_task(_close_when_signed_out(socket, signed_in))]
    try:
        await _read_until_closed(socket, limit, signed_in)
    finally:
        for unsubscribe in unsubscribers:
            unsubscribe()
        for task in tasks:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:  # the console went away mid-send: nothing to deliver to any more
                logger.info("console socket of user %s failed while sending", principal.user_id, exc_info=True)


async def _still_signed_in(session_factory, principal: Principal) -> bool:
    try:
        async with session_factory() as session:
            return await token_is_live(session, principal.token_id)
    except Exception:  # the database is away: the socket stays until it can tell
        logger.warning("could not check the session of console user %s", principal.user_id, exc_info=True)
        return True


async def _close_when_signed_out(socket: WebSocket, signed_in) -> None:
    while True:
        await asyncio.sleep(SESSION_CHECK_S)
        if not await signed_in():
            await socket.close(WS_SIGNED_OUT, "signed out")
            return


async def _send_forever(socket: WebSocket, pending: asyncio.Queue) -> None:
    await socket.send_json({"topic": "hello", "event": {"user_id": socket.user.user_id}})
    while True:
        frame = await pending.get()
        if frame is None:  # the console fell too far behind: make it reconnect and reload
            await socket.close(WS_TRY_AGAIN_LATER, "too many pending events")
            return
        await socket.send_text(json.dumps(frame, default=str))


async def _read_until_closed(socket: WebSocket, limit: int, signed_in) -> None:
    """Answer pings while the session holds; close with 1009 on an oversized frame; return when the console
    leaves or the socket is closed."""
    while True:
        message = await socket.receive()
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("text") or message.get("bytes") or b""
        size = len(data.encode() if isinstance(data, str) else data)
        if size > limit:
            await socket.close(WS_MESSAGE_TOO_BIG, f"messages are limited to {limit} bytes")
            return
        if data == "ping":
            if not await signed_in():
                await socket.close(WS_SIGNED_OUT, "signed out")
                return
            await socket.send_json({"topic": "pong", "event": {}})
