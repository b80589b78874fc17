"""Turning Viber message callbacks into :class:`bots.inbound.InboundMessage`s."""

from __future__ import annotations

from typing import Any

from viberbot.api.messages import (
    ContactMessage,
    FileMessage,
    LocationMessage,
    PictureMessage,
    StickerMessage,
    TextMessage,
    URLMessage,
    VideoMessage,
)
from viberbot.api.viber_requests import ViberMessageRequest

from bots.inbound import InboundMessage
from bots.normalize import e164, language_hint
from bots.viber.keyboards import Tracking

CHANNEL = "viber"
MEDIA_TYPES = {PictureMessage: "picture", VideoMessage: "video", FileMessage: "file", StickerMessage: "sticker",
               URLMessage: "url", LocationMessage: "location"}


def message_token(value: Any) -> str:
    """Viber's message tokens are 64-bit integers; normalise them (they may come quoted) to their digits."""
    return str(int(value))


def from_request(request: ViberMessageRequest, raw: dict[str, Any]) -> InboundMessage:
    """The inbound message of a ``message`` callback (``raw`` is its JSON, kept for attachments)."""
    message = request.message
    sender = request.sender
    tracking = Tracking.decode(getattr(message, "tracking_data", None))
    kind, text, payload, phone = _content(message, raw.get("message", {}), tracking)
    return InboundMessage(
        channel=CHANNEL, user_id=sender.id, chat_id=sender.id, dedup_key=message_token(request.message_token),
        kind=kind, text=text, payload=payload, display_name=sender.name, phone=phone,
        language_hint=language_hint(sender.language),
    )


def unsupported_from_raw(raw: dict[str, Any]) -> InboundMessage:
    """A message of a type viberbot does not know: stored as "unsupported" with its raw body."""
    sender = raw.get("sender") or {}
    return InboundMessage(
        channel=CHANNEL, user_id=str(sender["id"]), chat_id=str(sender["id"]),
        dedup_key=message_token(raw["message_token"]), kind="unsupported",
        payload={"content_type": str((raw.get("message") or {}).get("type")), "message": raw.get("message")},
        display_name=sender.get("name"), language_hint=language_hint(sender.get("language")),
    )


def _content(message, body: dict[str, Any], tracking: Tracking) -> tuple[str, str, dict[str, Any], str | None]:
    """(kind, text, payload, phone) of a Viber message."""
    if isinstance(message, TextMessage):
        text = message.text or ""
        if text in tracking.buttons:  # a reply button: the shopper "said" the label
            return "callback", tracking.buttons[text], {"data": tracking.buttons[text], "label": text}, None
        return "text", text, {}, None
    if isinstance(message, ContactMessage):
        contact = body.get("contact") or {}
        # Viber's share-phone button only ever shares the user's own number; a contact arriving in
        # answer to our share-phone request is that.
        own = tracking.share_phone
        phone = e164(contact.get("phone_number")) if own else None
        return "contact", contact.get("phone_number") or "", {"contact": contact, "own": own}, phone
    kind = MEDIA_TYPES.get(type(message), "unsupported")
    attachment = {key: value for key, value in body.items() if key not in ("tracking_data", "text")}
    return kind, body.get("text") or "", {"attachment": attachment}, None
