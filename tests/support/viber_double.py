"""A Viber REST API double: ``POST <url>/pa/<endpoint>`` on 127.0.0.1, speaking the real wire format.

Usage::

    with ViberDouble() as viber:
        settings = make_settings(backend, viber_token=viber.token, viber_bot_name="Shop",
                                 viber_api_url=viber.api_url)
        ...
        viber.wait_for(lambda: viber.texts_to("01234567890A=") == ["Hello"])

Endpoints: send_message (answers ``status 0`` and a 64-bit ``message_token``), set_webhook (records
the URL and event types), get_account_info; others answer ``status 0``. The auth token is read from
the ``X-Viber-Auth-Token`` header or the body's ``auth_token``; a wrong one answers status 2 as
Viber does. Viber reports errors with HTTP 200 and a non-zero ``status``; script them with
``viber.script("send_message", viber_status(12))`` (too many requests), ``viber_status(6)`` (not
subscribed) or :func:`server_error` for a 5xx. :meth:`ViberDouble.hold_answers` takes sends in (each
gets its token) but holds their answers: Viber's callbacks for a message can reach the webhook first.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from aiohttp import web

from tests.support.http_double import HttpDouble, Scripted, read_params

DEFAULT_TOKEN = "445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9"  # the example token of the Viber docs
STATUS_MESSAGES = {0: "ok", 1: "invalidUrl", 2: "invalidAuthToken", 3: "badData", 4: "missingData",
                   5: "receiverNotRegistered", 6: "receiverNotSubscribed", 7: "publicAccountBlocked",
                   10: "webhookNotSet", 12: "tooManyRequests"}


def viber_status(status: int) -> Scripted:
    """A Viber API error: HTTP 200 with a non-zero ``status`` (12 too many requests, 6 not subscribed...)."""
    return Scripted(200, {"status": status, "status_message": STATUS_MESSAGES.get(status, "generalError")})


def server_error(status: int = 503) -> Scripted:
    """An HTTP-level failure of the Viber API."""
    return Scripted(status, {"status": 99, "status_message": "generalError"})


class ViberDouble(HttpDouble):
    """The Viber REST API on 127.0.0.1; see the module docstring."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.webhook: dict[str, Any] = {}
        self.delivered: list[dict[str, Any]] = []  # send_message bodies answered with status 0
        self._tokens = itertools.count(5741311803571721087)
        self._answering = asyncio.Event()  # cleared while send_message answers are held
        self._answering.set()

    @property
    def api_url(self) -> str:
        """The value for ``RELAYDESK_VIBER_API_URL``."""
        return f"{self.url}/pa"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/pa/{endpoint}", self._handle)

    def hold_answers(self) -> None:
        """From now on take sends in (recorded in :meth:`sent` with their token) but hold the answers."""
        self._loop.call_soon_threadsafe(self._answering.clear)

    def release_answers(self) -> None:
        """Answer the held sends and stop holding."""
        self._loop.call_soon_threadsafe(self._answering.set)

    def sent(self, receiver: str | None = None) -> list[dict[str, Any]]:
        """Bodies of the successful send_message calls (to ``receiver`` when given), in order."""
        with self._lock:
            return [body for body in self.delivered if receiver is None or body["receiver"] == receiver]

    def texts_to(self, receiver: str) -> list[str]:
        """Texts successfully sent to ``receiver``, in order."""
        return [body.get("text", "") for body in self.sent(receiver)]

    async def _handle(self, request: web.Request) -> web.Response:
        endpoint = request.match_info["endpoint"]
        body = await read_params(request)
        body["_auth_header"] = request.headers.get("X-Viber-Auth-Token")
        self.record(endpoint, body)
        if (body["_auth_header"] or body.get("auth_token")) != self.token:
            return self.respond(viber_status(2))
        answer = await self.scripted(endpoint, body)
        if answer is not None:
            return self.respond(answer)
        if endpoint == "send_message":
            token = next(self._tokens)
            with self._lock:
                self.delivered.append({**body, "message_token": token})
            await self._answering.wait()
            return web.json_response({"status": 0, "status_message": "ok", "message_token": token,
                                      "chat_hostname": "SN-CHAT-05_", "billing_status": 1})
        if endpoint == "set_webhook":
            self.webhook = body
            return web.json_response({"status": 0, "status_message": "ok",
                                      "event_types": body.get("event_types", [])})
        if endpoint == "get_account_info":
            return web.json_response({"status": 0, "status_message": "ok", "id": "pa:75346594275468546724",
                                      "name": "Relaydesk Demo", "uri": "relaydesk-demo",
                                      "webhook": self.webhook.get("url", ""), "subscribers_count": 1})
        return web.json_response({"status": 0, "status_message": "ok"})
