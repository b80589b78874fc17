"""A Telegram Bot API double: ``/bot<token>/<method>`` on 127.0.0.1, speaking the real wire format.

Usage::

    with TelegramDouble() as telegram:
        settings = make_settings(backend, telegram_token=telegram.token,
                                 telegram_api_url=telegram.url, telegram_webhook_secret="s3cret")
        ...
        telegram.wait_for(lambda: telegram.texts_to(1111111) == ["Hello"])

Methods answered: getMe, sendMessage, answerCallbackQuery, sendChatAction, getUpdates (long polling
over updates queued with :meth:`TelegramDouble.push_update`, honouring ``offset`` and ``timeout``),
setWebhook, deleteWebhook, getWebhookInfo; any other method answers ``{"ok": true, "result": true}``.
A wrong token gets 401 like the real API, and a ``sendMessage`` the real API refuses gets its 400:
HTML it cannot parse with parse_mode HTML ("can't parse entities: ...", see
:mod:`tests.support.telegram_html`) and a text over 4096 UTF-16 code units after parsing ("message
is too long"). Failures are scripted with :meth:`HttpDouble.script` and the answers below, e.g.
``telegram.script("sendMessage", too_many_requests(3), bad_gateway())``.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from aiohttp import web

from tests.support.http_double import HttpDouble, Scripted, read_params
from tests.support.telegram_html import UnparsableHtml, visible_text

DEFAULT_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"  # the example token of the Bot API docs
TEXT_LIMIT = 4096  # UTF-16 code units of a message's text, after entity parsing
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Relaydesk Demo", "username": "relaydesk_demo_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


def too_many_requests(retry_after: int) -> Scripted:
    """Telegram's flood-control answer: HTTP 429 with ``parameters.retry_after`` seconds."""
    return Scripted(429, {"ok": False, "error_code": 429,
                          "description": f"Too Many Requests: retry after {retry_after}",
                          "parameters": {"retry_after": retry_after}})


def bad_gateway() -> Scripted:
    """What Telegram's front answers while the Bot API is down."""
    return Scripted(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})


def bad_request(description: str) -> Scripted:
    """A 400 the way the Bot API words it, e.g. ``bad_request("chat not found")``."""
    return Scripted(400, {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"})


def blocked_by_user() -> Scripted:
    """The shopper blocked the bot: 403, never deliverable."""
    return Scripted(403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})


def refusal(params: dict[str, Any]) -> Scripted | None:
    """The Bot API's 400 for a ``sendMessage`` it refuses: unparsable HTML or too long a text; else ``None``."""
    text = str(params.get("text", ""))
    if str(params.get("parse_mode", "")).lower() == "html":
        try:
            text = visible_text(text)
        except UnparsableHtml as exc:
            return bad_request(f"can't parse entities: {exc}")
    # Counted here as the Bot API documents it, not with the code under test's own measure.
    if len(text.encode("utf-16-le")) // 2 > TEXT_LIMIT:
        return bad_request("message is too long")
    return None


def hang_forever() -> Scripted:
    """Accept the request and never answer (the client must time out)."""
    return Scripted(hang=True)


class TelegramDouble(HttpDouble):
    """The Bot API on 127.0.0.1; see the module docstring."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.webhook: dict[str, Any] = {}
        self.delivered: list[dict[str, Any]] = []  # sendMessage parameters answered with success
        self._updates: list[dict[str, Any]] = []
        self._updates_changed: asyncio.Condition | None = None
        self._message_ids = itertools.count(1)

    def routes(self, app: web.Application) -> None:
        self._updates_changed = asyncio.Condition()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)

    # --- feeding updates (polling) ---------------------------------------------------------
    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an Update for ``getUpdates`` (thread-safe)."""
        async def add() -> None:
            async with self._updates_changed:
                self._updates.append(update)
                self._updates_changed.notify_all()

        asyncio.run_coroutine_threadsafe(add(), self._loop).result(5)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a later ``getUpdates`` offset."""
        return list(self._updates)

    # --- what the bot sent -----------------------------------------------------------------
    def sent(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Parameters of the successful sendMessage calls (to ``chat_id`` when given), in order."""
        with self._lock:
            return [params for params in self.delivered
                    if chat_id is None or str(params["chat_id"]) == str(chat_id)]

    def texts_to(self, chat_id: int | str) -> list[str]:
        """Texts successfully sent to ``chat_id``, in order."""
        return [params["text"] for params in self.sent(chat_id)]

    # --- the API ---------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await read_params(request)
        self.record(method, params)
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        answer = await self.scripted(method, params)
        if answer is not None:
            return self.respond(answer)
        if method == "getUpdates":
            return await self._get_updates(params)
        refused = refusal(params) if method == "sendMessage" else None
        if refused is not None:
            return self.respond(refused)
        result = self._result(method, params)
        if method == "sendMessage":
            with self._lock:
                self.delivered.append({**params, "message_id": result["message_id"]})
        return web.json_response({"ok": True, "result": result})

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return {"message_id": next(self._message_ids), "date": int(time.time()),
                    "chat": {"id": int(params["chat_id"]), "type": "private"},
                    "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
                    "text": params.get("text", "")}
        if method == "setWebhook":
            self.webhook = params
            return True
        if method == "deleteWebhook":
            self.webhook = {}
            return True
        if method == "getWebhookInfo":
            return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}
        return True

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        async with self._updates_changed:
            # A positive offset confirms every earlier update, as on the real server.
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self._updates_changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
            batch = self._updates[:limit]
        return web.json_response({"ok": True, "result": batch})
