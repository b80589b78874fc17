"""Web chat visitors' open sockets in this process, and what they send and acknowledge.

Protocol (JSON frames over ``/chat/ws?visitor=<id>&lang=<code>``):

browser → server
    ``{"type": "message", "id": <client id>, "text": ...}``  (re-sent after a reconnect until accepted)
    ``{"type": "callback", "id": <client id>, "data": ..., "label": ...}``  (a reply button)
    ``{"type": "ack", "message_id": N}``  (the browser shows message N)
server → browser
    ``{"type": "history", "messages": [...], "language": ...}``  (on connect: the latest messages, both
    directions; the visitor's own carry the ``client_id`` they were sent with, so a tab that never got their
    ``accepted`` knows them for the pending ones it holds; ``language``, the latest conversation's, only
    once it is known)
    ``{"type": "accepted", "id": <client id>, "message_id": N, "language": ...}``  (stored; safe to forget;
    ``message_id``, the stored message's, so the page places it among the replies even when its ``echo``
    is lost; absent for a repeat, which the history already holds; ``language``: the conversation's, once
    known — the page speaks it from then on)
    ``{"type": "echo", "message_id": N, "client_id": ..., "text": ...}``  (the visitor's own message, stored:
    shown by their other tabs and devices; the tab that sent it knows it by ``client_id``)
    ``{"type": "message", "message_id": N, "text": ..., "buttons": [...], "author": ..., "author_name": ...,
    "html": ...}``  (``html`` only on a formatted knowledge-base answer)
    ``{"type": "error", "detail": ...}``

Bot and agent messages reach the socket from the outbox through the bus (any process may hold the
socket). One the browser has not acknowledged stays "sent" and comes again in the next history,
so a visitor who was away loses nothing.

A history message carries what the live push carried (see :mod:`bots.messengers.webchat`), read
from the stored message: the answer step's ``html`` is kept in the message's payload (the outbox
payload is stored with it), so the replay shows the same formatting without rendering again, and
the author's label comes from the same ``author_name`` as the push.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from bots.flow import InboundFlow
from bots.inbound import InboundMessage
from bots.messengers.webchat import author_name
from bots.normalize import storable
from bots.outbox_store import STATUS_RANK
from core import events
from core.models import Conversation, Identity, Message
from nlu.text import normalize

logger = logging.getLogger(__name__)

CHANNEL = "webchat"
VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_TEXT = 4000
HISTORY_SIZE = 50
PUSH_TIMEOUT = 5.0

Push = Callable[[dict], Awaitable[None]]


def dedup_key(visitor: str, client_id: str) -> str:
    """How a visitor's message is stored for deduplication: its client id is unique per visitor."""
    return f"{visitor}:{client_id}"


def client_id_of(key: str) -> str:
    """The client id in a :func:`dedup_key` (neither a visitor id nor a client id holds a colon)."""
    return key.partition(":")[2]


class FrameError(ValueError):
    """A frame the browser should not have sent; its message goes back as an error frame."""


class WebchatHub:
    """Connected sockets by visitor; stores what visitors send through the inbound flow."""

    def __init__(self, flow: InboundFlow) -> None:
        self.flow = flow
        self._sockets: dict[str, set[Push]] = defaultdict(set)
        self._unsubscribe: list[Callable[[], None]] = []
        self._catching_up: set[asyncio.Task] = set()

    def start(self) -> None:
        """Listen for messages to deliver and for visitors' own messages to show in their other tabs."""
        self._unsubscribe = [self.flow.bus.subscribe(events.WEBCHAT_DELIVER, self._on_deliver),
                             self.flow.bus.subscribe(events.WEBCHAT_ECHO, self._on_echo),
                             self.flow.bus.on_subscribed(self._catch_up)]

    def stop(self) -> None:
        """Stop listening."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    def connect(self, visitor: str, push: Push) -> None:
        """Register a socket of ``visitor``; ``push`` sends one frame to it."""
        self._sockets[visitor].add(push)

    def disconnect(self, visitor: str, push: Push) -> None:
        """Forget a closed socket."""
        sockets = self._sockets.get(visitor)
        if sockets is not None:
            sockets.discard(push)
            if not sockets:
                del self._sockets[visitor]

    def connected(self, visitor: str) -> bool:
        """Whether ``visitor`` has a socket open in this process."""
        return bool(self._sockets.get(visitor))

    def _catch_up(self) -> None:
        # The bus subscribed again after losing Redis: replies other processes published meanwhile never
        # reached this process, so its open sockets get their history afresh (the page merges it by id).
        task = asyncio.get_running_loop().create_task(self._send_histories())
        self._catching_up.add(task)
        task.add_done_callback(self._catching_up.discard)

    async def _send_histories(self) -> None:
        for visitor in list(self._sockets):
            try:
                await self._push_all(visitor, await self.history(visitor))
            except Exception:
                logger.warning("sending a web chat history again after the bus came back failed", exc_info=True)

    async def _on_deliver(self, _topic: str, event: dict) -> None:
        frame = {"type": "message", "message_id": event.get("message_id"), "text": event.get("text", ""),
                 "buttons": event.get("buttons") or [], "author": event.get("author") or "bot",
                 "author_name": event.get("author_name") or ""}
        if event.get("html"):
            frame["html"] = event["html"]
        await self._push_all(event.get("visitor"), frame)

    async def _on_echo(self, _topic: str, event: dict) -> None:
        frame = {"type": "echo", "message_id": event.get("message_id"), "client_id": event.get("client_id"),
                 "text": event.get("text", "")}
        await self._push_all(event.get("visitor"), frame)

    async def _push_all(self, visitor: str | None, frame: dict) -> None:
        for push in list(self._sockets.get(visitor, ())):
            try:
                await asyncio.wait_for(push(frame), PUSH_TIMEOUT)
            except Exception:  # a dead or stuck socket: the message is replayed on reconnect
                logger.info("pushing to a web chat socket failed", exc_info=True)

    async def history(self, visitor: str) -> dict:
        """The ``history`` frame: the visitor's latest web chat messages, oldest first."""
        async with self.flow.session_factory() as session:
            customer_id = await session.scalar(
                select(Identity.customer_id).where(Identity.channel == CHANNEL, Identity.external_id == visitor))
            rows = [] if customer_id is None else (await session.execute(
                select(Message, Conversation.language)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Message.customer_id == customer_id, Message.channel == CHANNEL, Message.chat_id == visitor)
                .order_by(Message.id.desc()).limit(HISTORY_SIZE))).all()
        frame = {"type": "history", "messages": [self._shown(m, language) for m, language in reversed(rows)]}
        if rows and rows[0][1]:
            frame["language"] = rows[0][1]
        return frame

    def _shown(self, message: Message, language: str | None) -> dict:
        """A stored message as the history frame lists it (an outgoing one as it was pushed)."""
        payload = message.payload or {}
        text = message.text
        if message.direction == "in" and payload.get("label"):
            # A pressed button is stored with its data ("csat:4") and shown by its label, as when pressed.
            text = payload["label"]
        shown = {"message_id": message.id, "direction": message.direction, "author": message.author,
                 "text": text, "buttons": [], "delivery_status": message.delivery_status}
        if message.direction == "in" and message.dedup_key:
            shown["client_id"] = client_id_of(message.dedup_key)
        if message.direction == "out":
            settings = self.flow.settings
            shown["buttons"] = payload.get("buttons") or []
            shown["author_name"] = author_name(message.author, payload, language or settings.default_language,
                                               settings.webchat_bot_name)
            if payload.get("html"):
                shown["html"] = payload["html"]
        return shown

    async def receive(self, visitor: str, frame: Any, language: str | None) -> dict | None:
        """Handle one frame from the browser; returns the frame to answer with, if any.

        Raises:
            FrameError: a malformed frame.
        """
        if not isinstance(frame, dict):
            raise FrameError("frames are JSON objects")
        kind = frame.get("type")
        if kind == "ack":
            await self.acknowledge(visitor, frame.get("message_id"))
            return None
        if kind not in ("message", "callback"):
            raise FrameError(f"unknown frame type {kind!r}")
        client_id = frame.get("id")
        if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
            raise FrameError("id: 1-64 characters of A-Z, a-z, 0-9, _ and -")
        field = "text" if kind == "message" else "data"
        text = frame.get(field)
        # normalize() drops invisible characters: a message of zero-width spaces has nothing to show.
        if not isinstance(text, str) or not normalize(text) or len(text) > MAX_TEXT:
            raise FrameError(f"{field}: 1-{MAX_TEXT} characters, not only blanks or invisible ones")
        payload = {"data": text, "label": str(frame.get("label") or "")[:200]} if kind == "callback" else {}
        result = await self.flow.process(InboundMessage(
            channel=CHANNEL, user_id=visitor, chat_id=visitor, dedup_key=dedup_key(visitor, client_id),
            kind="text" if kind == "message" else "callback", text=text.strip(), payload=payload,
            language_hint=language,
        ))
        if not result.duplicate and result.message_id is not None:
            # As stored: the other tabs show what the history will show after a reload.
            await self._echo(visitor, result.message_id, client_id, storable(payload.get("label") or text.strip()))
        answer: dict[str, Any] = {"type": "accepted", "id": client_id}
        if result.message_id is not None:
            answer["message_id"] = result.message_id
        if result.language:  # the conversation's, once the flow has settled it: the page speaks it too
            answer["language"] = result.language
        return answer

    async def _echo(self, visitor: str, message_id: int, client_id: str, shown: str) -> None:
        """Tell the visitor's other tabs what they wrote. Best effort: the message is stored, and a tab
        that misses the echo shows it with the history after its next reconnect or reload."""
        event = {"visitor": visitor, "message_id": message_id, "client_id": client_id, "text": shown}
        try:
            await self.flow.bus.publish(events.WEBCHAT_ECHO, event)
        except Exception:
            logger.warning("showing a web chat message in the visitor's other tabs failed", exc_info=True)

    async def acknowledge(self, visitor: str, message_id: Any) -> None:
        """The browser shows message ``message_id``: mark it delivered (only the visitor's own)."""
        # Bounded: a number beyond the database's id range would fail the query, not just find nothing.
        if not isinstance(message_id, int) or isinstance(message_id, bool) or not 0 < message_id < 2**31:
            raise FrameError("message_id must be a positive integer")
        async with self.flow.session_factory() as session, session.begin():
            message = await session.get(Message, message_id, with_for_update=True)  # see mark_sent
            if (message is None or message.channel != CHANNEL or message.chat_id != visitor
                    or message.direction != "out"
                    or STATUS_RANK.get(message.delivery_status, 0) >= STATUS_RANK["delivered"]):
                return
            message.delivery_status = "delivered"
            event = {"conversation_id": message.conversation_id, "message_id": message.id,
                     "delivery_status": "delivered"}
        await self.flow.bus.publish_or_log(events.MESSAGE_STATUS, event)  # stored; the socket goes on
