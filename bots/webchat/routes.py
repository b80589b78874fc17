"""``/chat`` (the page), ``/chat/<asset>`` (its script, style and the embeddable widget) and ``/chat/ws``."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path

from litestar import Request, Response, WebSocket, get, websocket
from litestar.exceptions import NotFoundException, WebSocketDisconnect
from litestar.params import FromPath

from bots.webchat.hub import VISITOR_ID, FrameError, WebchatHub
from core.settings import pick_language

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
WS_MESSAGE_TOO_BIG = 1009
ASSETS = {"app.js": "text/javascript", "widget.js": "text/javascript", "chat.css": "text/css"}
# The page may be framed by any shop's site (that is what the widget does), but loads nothing foreign.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; connect-src 'self' ws: wss:; frame-ancestors *",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@cache
def _read(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


# The app's security-headers hook reads this opt (web.security_headers.FRAME_ANCESTORS_OPT): without it
# the page would also carry X-Frame-Options: DENY, contradicting its own frame-ancestors *.
@get("/chat", exclude_from_auth=True, include_in_schema=False, sync_to_thread=False,
     opt={"frame_ancestors": "*"})
def chat_page(request: Request) -> Response:
    """The chat page (also what the widget frames), in the shopper's language as far as it is known here.

    That is ``?lang=`` (the widget passes the shop page's ``<html lang>``), else the browser's
    ``Accept-Language``, else the shop's default; the page switches to the conversation's language once
    the socket tells it (see :mod:`bots.webchat.hub`).
    """
    language = pick_language(request.query_params.get("lang"),
                             *preferred_languages(request.headers.get("accept-language", "")),
                             default=request.app.state.services.settings.default_language)
    # pick_language returns one of uk, ru, en: nothing of the request reaches the markup as written
    return Response(_read("chat.html").replace("{{lang}}", language), media_type="text/html", headers=PAGE_HEADERS)


def preferred_languages(header: str) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first (``q=0``, "not wanted", left out)."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        code, _, parameters = part.partition(";")
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
        if code.strip() and weight > 0:
            ranked.append((-weight, position, code.strip()))
    return [code for _, _, code in sorted(ranked)]


@get("/chat/{asset:str}", exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
def chat_asset(asset: FromPath[str]) -> Response:
    """The page's script and style, and ``widget.js`` for ``<script src=".../chat/widget.js">``."""
    if asset not in ASSETS:
        raise NotFoundException(f"no chat asset {asset!r}")
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"}
    return Response(_read(asset), media_type=ASSETS[asset], headers=headers)


@websocket("/chat/ws", exclude_from_auth=True)
async def chat_socket(socket: WebSocket) -> None:
    """One visitor's connection: history first, then frames both ways (see :mod:`bots.webchat.hub`).

    An unexpected error is logged here with its traceback and the visitor's id (never what they wrote),
    then litestar closes the socket with 4500: litestar itself logs nothing (the app has no litestar
    logging config), and the exception handlers of ``web.errors`` serve HTTP only. The message being
    handled was not stored (see :mod:`bots.flow`) nor accepted, so the browser sends it again after
    reconnecting. A visitor who simply leaves is no error.
    """
    services = socket.app.state.services
    hub = services.extras["webchat"]
    visitor = socket.query_params.get("visitor", "")
    language = (socket.query_params.get("lang") or "").split("-")[0].lower()[:8] or None
    if not VISITOR_ID.match(visitor):
        await socket.close(code=4400, reason="invalid visitor id")
        return
    await socket.accept()
    lock = asyncio.Lock()  # pushes from the bus and answers to the browser must not interleave

    async def push(frame: dict) -> None:
        async with lock:
            try:
                await socket.send_json(frame)
            except OSError as exc:  # what an ASGI server raises on sending to a closed connection
                raise WebSocketDisconnect(detail="the visitor went away") from exc

    hub.connect(visitor, push)
    try:
        await push(await hub.history(visitor))
        await _converse(socket, hub, visitor, language, push, services.settings.webchat_max_frame_bytes)
    except WebSocketDisconnect:
        return
    except Exception:
        logger.exception("web chat socket of visitor %s failed", visitor)
        raise
    finally:
        hub.disconnect(visitor, push)


async def _converse(socket: WebSocket, hub: WebchatHub, visitor: str, language: str | None,
                    push: Callable[[dict], Awaitable[None]], limit: int) -> None:
    """Answer the visitor's frames until they leave (or send a frame over ``limit`` bytes)."""
    while True:
        raw = await socket.receive_text()
        if len(raw.encode()) > limit:  # a message is at most MAX_TEXT characters; more is abuse
            await socket.close(WS_MESSAGE_TOO_BIG, f"frames are limited to {limit} bytes")
            return
        try:
            answer = await hub.receive(visitor, _decode(raw), language)
        except FrameError as exc:
            answer = {"type": "error", "detail": str(exc)}
        if answer is not None:
            await push(answer)


def _decode(raw: str) -> object:
    try:
        return json.loads(raw)
    except ValueError:
        raise FrameError("frames are JSON") from None
