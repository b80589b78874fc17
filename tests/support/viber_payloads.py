"""Viber callback bodies shaped like the examples of the Viber REST Bot API docs, and their signatures.

``sign(body, token)`` gives the ``X-Viber-Content-Signature`` value: hex HMAC-SHA256 of the raw
body keyed with the auth token. ``signed_headers(body, token)`` returns the headers to POST with.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from typing import Any

USER_ID = "01234567890A="
_tokens = itertools.count(4912661846655238145)
TIMESTAMP = 1457764197627


def next_token() -> int:
    """A fresh 64-bit message token (Viber's are integers wider than JavaScript's safe range)."""
    return next(_tokens)


def user(user_id: str = USER_ID, name: str = "John McClane", language: str = "en") -> dict[str, Any]:
    """The ``sender`` / ``user`` object of a callback."""
    return {"id": user_id, "name": name, "avatar": "http://avatar.example.com", "country": "UA",
            "language": language, "api_version": 10}


def message_event(message: dict[str, Any], *, user_id: str = USER_ID, token: int | None = None,
                  language: str = "en", name: str = "John McClane") -> dict[str, Any]:
    """A ``message`` callback carrying ``message`` (see :func:`text`, :func:`contact`, ...)."""
    return {"event": "message", "timestamp": TIMESTAMP, "message_token": token or next_token(),
            "chat_hostname": "SN-CALLBACK-05_", "sender": user(user_id, name, language), "message": message,
            "silent": False}


def text(value: str, tracking_data: str | None = None) -> dict[str, Any]:
    """A text message body."""
    body: dict[str, Any] = {"type": "text", "text": value}
    if tracking_data:
        body["tracking_data"] = tracking_data
    return body


def contact(phone: str, name: str = "John McClane", tracking_data: str | None = None) -> dict[str, Any]:
    """A contact message (what a share-phone keyboard button sends back)."""
    body: dict[str, Any] = {"type": "contact", "contact": {"name": name, "phone_number": phone,
                                                            "avatar": "http://avatar.example.com"}}
    if tracking_data:
        body["tracking_data"] = tracking_data
    return body


def picture(media: str = "http://example.com/p.jpg", caption: str = "") -> dict[str, Any]:
    """A picture message."""
    return {"type": "picture", "text": caption, "media": media, "thumbnail": media, "file_name": "p.jpg",
            "size": 10240}


def file(media: str = "http://example.com/doc.pdf", name: str = "doc.pdf") -> dict[str, Any]:
    """A file message."""
    return {"type": "file", "media": media, "file_name": name, "size": 10000}


def sticker(sticker_id: int = 46105) -> dict[str, Any]:
    """A sticker message."""
    return {"type": "sticker", "sticker_id": sticker_id, "media": "http://example.com/s.png"}


def location(lat: float = 50.45, lon: float = 30.52) -> dict[str, Any]:
    """A location message."""
    return {"type": "location", "location": {"lat": lat, "lon": lon}}


def conversation_started(user_id: str = USER_ID, language: str = "en", context: str | None = None) -> dict:
    """The user opened the chat (not subscribed yet)."""
    body = {"event": "conversation_started", "timestamp": TIMESTAMP, "message_token": next_token(),
            "type": "open", "user": user(user_id, language=language), "subscribed": False}
    if context:
        body["context"] = context
    return body


def subscribed(user_id: str = USER_ID) -> dict[str, Any]:
    """The user subscribed to the bot."""
    return {"event": "subscribed", "timestamp": TIMESTAMP, "user": user(user_id), "message_token": next_token()}


def unsubscribed(user_id: str = USER_ID) -> dict[str, Any]:
    """The user unsubscribed."""
    return {"event": "unsubscribed", "timestamp": TIMESTAMP, "user_id": user_id, "message_token": next_token()}


def receipt(event: str, message_token: int, user_id: str = USER_ID) -> dict[str, Any]:
    """A ``delivered`` / ``seen`` / ``failed`` callback for one of the bot's messages."""
    body = {"event": event, "timestamp": TIMESTAMP, "message_token": message_token, "user_id": user_id}
    if event == "failed":
        body["desc"] = "failure description"
    return body


def webhook_check() -> dict[str, Any]:
    """What Viber posts to the URL when ``set_webhook`` is called."""
    return {"event": "webhook", "timestamp": TIMESTAMP, "chat_hostname": "SN-376_", "message_token": next_token()}


def encode(body: dict[str, Any]) -> bytes:
    """The raw body as Viber sends it."""
    return json.dumps(body, ensure_ascii=False).encode()


def sign(raw: bytes, token: str) -> str:
    """The ``X-Viber-Content-Signature`` of ``raw``."""
    return hmac.new(token.encode(), raw, hashlib.sha256).hexdigest()


def signed_headers(raw: bytes, token: str) -> dict[str, str]:
    """Headers for POSTing ``raw`` to the webhook, signed with ``token``."""
    return {"Content-Type": "application/json", "X-Viber-Content-Signature": sign(raw, token)}
