"""Checking a Viber callback's fields against the REST Bot API's callback format, in words.

viberbot reads callbacks without checking them: a missing field is a ``KeyError`` and a field of the
wrong type (``"text": 5``) passes through to the flow, which then fails on it. So each known event's
required fields and every documented field's type are checked before viberbot sees the body, and
each problem is named the way the documentation names the field ("a message event needs sender.id",
"message.text must be a string"). Ids, message tokens and coordinates are checked against what Viber
can send (no control characters in an id, 64 bits, |lat| <= 90): they are keys and places, not text
to be cleaned. Fields the documentation does not list, unknown event types and
unknown message types are left alone: Viber adds them, and they are acknowledged as documented.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

Check = tuple[str, Callable[[Any], bool]]  # (what the value must be, in words; whether it is)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return _integer(value) or isinstance(value, float)


def _token(value: Any) -> bool:
    # Message tokens are 64-bit integers, which some senders quote to keep them exact; a wider number
    # (or a digit that is not ASCII) is no token Viber gave out.
    # Twenty digits hold any 64-bit number; a longer string is refused before int() (which raises
    # beyond 4300 digits).
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        value = int(value)
    return _integer(value) and abs(value) < 2**64


def _user_id(value: Any) -> bool:
    # An id is not text: a control character or a lone surrogate ("\u0000", "\ud800") cannot be part
    # of one Viber gave out, and replacing it (as message text is) would store an id Viber does not know.
    return (isinstance(value, str) and len(value) <= 128
            and not any(unicodedata.category(char) in ("Cc", "Cs") for char in value))


def _between(low: float, high: float) -> Callable[[Any], bool]:
    # NaN and the infinities (Python's JSON reader accepts NaN, Infinity and 1e400) fail the comparison.
    return lambda value: _number(value) and low <= value <= high


STRING: Check = ("a string", lambda value: isinstance(value, str))
# Viber's user ids are 24 characters; the column holds 128 (identities.external_id), and a longer one
# could only fail to store, on every retry.
USER_ID: Check = ("a string of at most 128 characters without control characters", _user_id)
INTEGER: Check = ("an integer", _integer)
BOOLEAN: Check = ("true or false", lambda value: isinstance(value, bool))
TOKEN: Check = ("an integer of at most 64 bits", _token)
LATITUDE: Check = ("a number from -90 to 90", _between(-90, 90))
LONGITUDE: Check = ("a number from -180 to 180", _between(-180, 180))

# The documented fields of a callback and their types; a nested mapping is an object with those fields.
USER = {"id": USER_ID, "name": STRING, "avatar": STRING, "country": STRING, "language": STRING,
        "api_version": INTEGER}
MESSAGE = {"type": STRING, "text": STRING, "media": STRING, "thumbnail": STRING, "file_name": STRING,
           "file_size": INTEGER, "size": INTEGER, "duration": INTEGER, "sticker_id": INTEGER,
           "tracking_data": STRING, "location": {"lat": LATITUDE, "lon": LONGITUDE},
           "contact": {"name": STRING, "phone_number": STRING, "avatar": STRING}}
CALLBACK = {"event": STRING, "timestamp": INTEGER, "message_token": TOKEN, "chat_hostname": STRING,
            "sender": USER, "user": USER, "message": MESSAGE, "user_id": USER_ID, "type": STRING,
            "context": STRING, "subscribed": BOOLEAN, "silent": BOOLEAN, "desc": STRING}

# What each event needs (dotted paths: sender.id needs a sender object); none may be empty.
REQUIRED = {
    "message": ("timestamp", "message_token", "sender.id", "message.type"),
    "conversation_started": ("timestamp", "message_token", "type", "user.id"),
    "subscribed": ("timestamp", "user.id"),
    "unsubscribed": ("timestamp", "user_id"),
    "delivered": ("timestamp", "message_token"),
    "seen": ("timestamp", "message_token", "user_id"),
    "failed": ("timestamp", "message_token", "user_id", "desc"),
    "webhook": ("timestamp",),
}
# What each message type needs besides (the documentation marks these required; a text message
# without text, or a location without coordinates, is no message of its type).
MESSAGE_REQUIRED = {
    "text": ("message.text",),
    "location": ("message.location.lat", "message.location.lon"),
}


def callback_problems(raw: Mapping[str, Any]) -> list[str]:
    """Every way ``raw`` departs from the callback format of its event, in words; empty when none.

    An unknown event only needs ``event`` to be a string.
    """
    event = raw.get("event")
    if not isinstance(event, str):
        return ["event is required" if event is None else "event must be a string"]
    if event not in REQUIRED:
        return []
    problems = _type_problems(raw, CALLBACK, "")
    for path in REQUIRED[event]:
        if _missing(raw, path):
            problems.append(f"a {event} event needs {path}")
    message_type = _lookup(raw, "message.type")
    if event == "message" and isinstance(message_type, str):
        problems.extend(f"a {message_type} message needs {path}"
                        for path in MESSAGE_REQUIRED.get(message_type, ()) if _missing(raw, path))
    return problems


def _type_problems(body: Mapping[str, Any], spec: Mapping[str, Any], prefix: str) -> list[str]:
    problems = []
    for field, expected in spec.items():
        if field not in body:
            continue
        value, path = body[field], prefix + field
        if isinstance(expected, Mapping):
            if isinstance(value, Mapping):
                problems.extend(_type_problems(value, expected, path + "."))
            else:
                problems.append(f"{path} must be an object")
        elif not expected[1](value):
            problems.append(f"{path} must be {expected[0]}")
    return problems


def _missing(body: Mapping[str, Any], path: str) -> bool:
    return _lookup(body, path) in (None, "")


def _lookup(body: Mapping[str, Any], path: str) -> Any:
    value: Any = body
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value
