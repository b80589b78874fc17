"""Sending outbox payloads to Viber's REST API.

viberbot's ``Api`` posts with ``requests``, which would block the event loop, and always calls
chatapi.viber.com. So messages are built with viberbot's message models (its wire format) and
posted with httpx to ``VIBER_API_URL`` — non-blocking, and pointed at a double in tests.
"""

from __future__ import annotations

import httpx
from viberbot.api.messages import TextMessage

from bots.messenger import PermanentFailure, RetryLater, SendResult
from bots.viber.keyboards import SHARE_PHONE_MIN_API_VERSION, keyboard_for

VIBER_TEXT_LIMIT = 7000  # characters, as Viber's send_message documents the text's maximum
# Receiver not registered / not subscribed / account blocked or suspended: waiting will not help.
UNDELIVERABLE = {5: "receiver not registered", 6: "receiver not subscribed", 7: "public account blocked",
                 9: "public account suspended", 11: "no suitable device"}
UNSUBSCRIBED = {5, 6}  # the user left Viber or unsubscribed from the bot
# Bad or missing data: the message itself is wrong.
REJECTED = {3: "bad data", 4: "missing data", 13: "api version not supported"}


class ViberMessenger:
    """Sends a text with its reply keyboard (or share-phone keyboard) to one Viber user."""

    channel = "viber"
    max_text_length = VIBER_TEXT_LIMIT
    text_length = staticmethod(len)
    sends_receipts = True  # delivered / seen / failed callbacks, one per part (bots.viber.events)

    def __init__(self, client: httpx.AsyncClient, *, api_url: str, token: str, sender_name: str,
                 sender_avatar: str | None = None) -> None:
        self.client = client
        self.api_url = api_url
        self.token = token
        self.sender = {"name": sender_name[:28], **({"avatar": sender_avatar} if sender_avatar else {})}

    def message_body(self, chat_id: str, payload: dict) -> dict:
        """The ``send_message`` request body for ``payload``."""
        keyboard, tracking = keyboard_for(payload)
        message = TextMessage(text=payload.get("text", ""), keyboard=keyboard, tracking_data=tracking.encode(),
                              min_api_version=SHARE_PHONE_MIN_API_VERSION if tracking.share_phone else None)
        body = {key: value for key, value in message.to_dict().items() if value is not None}
        body.update(receiver=chat_id, sender=self.sender)
        return body

    async def send(self, chat_id: str, payload: dict) -> SendResult:
        """Post the message; map Viber's status codes to retry or give up.

        Raises:
            RetryLater: network errors, HTTP errors, status 12 (too many requests), an invalid token.
            PermanentFailure: the user is not subscribed or not registered (6, 5, ...), bad data.
        """
        try:
            response = await self.client.post(f"{self.api_url}/send_message", json=self.message_body(chat_id, payload),
                                              headers={"X-Viber-Auth-Token": self.token})
        except httpx.HTTPError as exc:
            raise RetryLater(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 400:
            raise RetryLater(f"HTTP {response.status_code} from the Viber API")
        try:
            answer = response.json()
            status = int(answer.get("status", -1))
        except (ValueError, AttributeError, TypeError) as exc:
            raise RetryLater("unreadable answer from the Viber API") from exc
        if status == 0:
            return SendResult([str(int(answer["message_token"]))])
        description = f"Viber status {status}: {answer.get('status_message', '')}"
        if status in UNDELIVERABLE or status in REJECTED:
            raise PermanentFailure(description, unsubscribed=status in UNSUBSCRIBED)
        # 12 (too many requests), 2 (invalid token, which an operator can fix), general errors: try later.
        raise RetryLater(description)
