"""Sending outbox payloads to web chat visitors over the bus.

The visitor's socket may be open in any process, so the message is published on the bus and every
process pushes it to that visitor's sockets (see :mod:`bots.webchat.hub`). The message counts as
"sent" once published; it becomes "delivered" when the browser acknowledges it, and a message a
visitor has not acknowledged is pushed again when they reconnect — so nothing is lost while the
visitor is away.
"""

from __future__ import annotations

from bots.messenger import RetryLater, SendResult
from core import events
from core.bus import EventBus

WEBCHAT_TEXT_LIMIT = 20000


class WebchatMessenger:
    """Publishes each message for the visitor's sockets, wherever they are connected."""

    channel = "webchat"
    max_text_length = WEBCHAT_TEXT_LIMIT

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus

    async def send(self, chat_id: str, payload: dict) -> SendResult:
        """Publish the message; a bus failure (Redis down) is retried later.

        ``payload["message_id"]`` (added by the delivery worker) lets the browser acknowledge it.
        """
        event = {"visitor": chat_id, "message_id": payload.get("message_id"), "text": payload.get("text", ""),
                 "buttons": payload.get("buttons") or []}
        try:
            await self.bus.publish(events.WEBCHAT_DELIVER, event)
        except Exception as exc:
            raise RetryLater(f"bus unavailable: {exc}") from exc
        return SendResult([f"webchat-{payload.get('message_id')}"])
