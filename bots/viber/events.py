"""What each Viber callback event does.

``message`` goes through the inbound flow (dedup on its message token); ``conversation_started``
answers with a welcome message in the response body (Viber shows it before the user subscribes);
``subscribed`` / ``unsubscribed`` follow the identity's subscription; ``delivered`` / ``seen`` /
``failed`` move the bot's message along its delivery status (a receipt that comes before the sender
has stored the message token is kept and applied once it is stored); ``webhook`` (Viber checking the URL)
and unknown events are acknowledged and ignored.
"""

from __future__ import annotations

import logging
from typing import Any

from viberbot.api.viber_requests import (
    ViberConversationStartedRequest,
    ViberDeliveredRequest,
    ViberFailedRequest,
    ViberMessageRequest,
    ViberRequest,
    ViberSeenRequest,
    ViberSubscribedRequest,
    ViberUnsubscribedRequest,
    create_request,
)

from bots.flow import InboundFlow
from bots.normalize import language_hint
from bots.outbox_store import record_receipt, set_subscribed
from bots.viber.callback_check import callback_problems
from bots.viber.convert import CHANNEL, context_link, from_request, message_token, unsupported_from_raw
from core import events

logger = logging.getLogger(__name__)

WELCOME = {
    "uk": "Вітаємо! Напишіть своє питання — ми відповімо тут.",
    "ru": "Здравствуйте! Напишите свой вопрос — мы ответим здесь.",
    "en": "Hello! Write your question and we will answer right here.",
}
RECEIPTS = {ViberDeliveredRequest: "delivered", ViberSeenRequest: "seen", ViberFailedRequest: "failed"}


class UnreadableCallback(ValueError):
    """The callback JSON lacks what its event type requires or has a field of the wrong type."""


class ViberEvents:
    """Handles parsed Viber callbacks; :meth:`handle` returns the response body."""

    def __init__(self, flow: InboundFlow, *, sender: dict[str, Any], default_language: str) -> None:
        self.flow = flow
        self.sender = sender
        self.default_language = default_language

    def parse(self, raw: dict[str, Any]) -> ViberRequest | None:
        """The viberbot request for ``raw``; None for event or message types viberbot does not know.

        Raises:
            UnreadableCallback: a known event without the fields it requires, or with a field of the
                wrong type (every problem named, see :func:`callback_problems`).
        """
        problems = callback_problems(raw)
        if problems:
            raise UnreadableCallback("; ".join(problems))
        try:
            return create_request(raw)
        except Exception:  # viberbot signals unknown event / message types with a bare Exception
            return None

    async def handle(self, request: ViberRequest | None, raw: dict[str, Any]) -> dict[str, Any]:
        """Act on one parsed callback and return the response body."""
        if request is None:
            await self._unknown(raw)
        elif isinstance(request, ViberMessageRequest):
            await self.flow.process(from_request(request, raw))
        elif isinstance(request, ViberConversationStartedRequest):
            if request.context:
                await self.flow.process(context_link(request))
            return self._welcome(request)
        elif isinstance(request, ViberSubscribedRequest):
            await self._set_subscribed(request.user.id, True)
        elif isinstance(request, ViberUnsubscribedRequest):
            await self._set_subscribed(request.user_id, False)
        elif type(request) in RECEIPTS:
            await self._receipt(request.message_token, RECEIPTS[type(request)])
        return {"status": 0}

    async def _unknown(self, raw: dict[str, Any]) -> None:
        sender = raw.get("sender")
        if raw.get("event") == "message" and isinstance(sender, dict) and sender.get("id") and "message_token" in raw:
            # A message type newer than viberbot: keep it for the agents rather than drop it.
            await self.flow.process(unsupported_from_raw(raw))
        else:
            logger.info("ignoring Viber callback of event %r", raw.get("event"))

    def _welcome(self, request: ViberConversationStartedRequest) -> dict[str, Any]:
        language = language_hint(request.user.language)
        text = WELCOME.get(language or "", WELCOME[self.default_language])
        return {"sender": self.sender, "type": "text", "text": text}

    async def _set_subscribed(self, user_id: str, subscribed: bool) -> None:
        async with self.flow.session_factory() as session, session.begin():
            # A Viber user's chat is the user: their id is where messages go.
            await set_subscribed(session, channel=CHANNEL, chat_id=user_id, subscribed=subscribed)

    async def _receipt(self, token: Any, status: str) -> None:
        async with self.flow.session_factory() as session, session.begin():
            message = await record_receipt(session, channel=CHANNEL, channel_message_id=message_token(token),
                                           delivery_status=status)
            event = None if message is None else {"conversation_id": message.conversation_id,
                                                  "message_id": message.id,
                                                  "delivery_status": message.delivery_status}
        if event:
            await self.flow.bus.publish_or_log(events.MESSAGE_STATUS, event)  # recorded; Viber need not retry
