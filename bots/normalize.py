"""Normalising what channels report about a sender: phone numbers and language codes."""

from __future__ import annotations

import re


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
