"""Normalising what channels report: phone numbers, language codes, and text a database can store."""

from __future__ import annotations

import re
from typing import Any

# NUL (PostgreSQL refuses it in text and JSON) and lone UTF-16 surrogates (no UTF-8 encoding exists;
# a valid pair reaches Python already joined into one character, so any surrogate left is lone).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def e164(phone: str | None) -> str | None:
    """A phone number as "+" and its digits (channels send it with or without "+", with spaces...).

    Returns:
        None when the digits cannot be a phone number (E.164 allows at most 15; fewer than 7 is no line).
    """
    digits = re.sub(r"\D", "", phone or "")
    return f"+{digits}" if 7 <= len(digits) <= 15 else None


def language_hint(code: str | None) -> str | None:
    """The primary language subtag of a channel's language code ("en-US", "uk_UA" → "en", "uk")."""
    if not code:
        return None
    return re.split(r"[-_]", code, maxsplit=1)[0].lower()[:8] or None


def storable(value: Any) -> Any:
    """``value`` with every character no database can store replaced by U+FFFD, in nested dicts and lists too.

    JSON escapes ("\\u0000", "\\ud800") let a broken or hostile client send such characters; stored
    as they came, the message would fail on every resend of the channel instead of reaching anyone.
    """
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(storable(item) for item in value)
    return value
