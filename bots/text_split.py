"""Splitting long messages into parts a channel accepts (Telegram 4096, Viber 7000 characters)."""

from __future__ import annotations

# Preferred cut points, best first: a paragraph, a line, a sentence, a word.
_SEPARATORS = ("\n\n", "\n", ". ", " ")


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters, at the most natural boundary.

    A part is cut at the last paragraph break, line break, sentence end or space inside the
    limit (in that order of preference, ignoring cut points in the first half of the part so that
    parts stay reasonably full); a single word longer than the limit is cut hard.

    Returns:
        The parts, in order; ``[text]`` when it fits (also for an empty text).
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = limit
        for separator in _SEPARATORS:
            position = window.rfind(separator)
            if position >= limit // 2:
                cut = position + len(separator)
                break
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n")
    parts.append(rest)
    return [part for part in parts if part] or [""]


def message_parts(payload: dict, limit: int | None) -> list[dict]:
    """The messages an outbox payload goes out as, on a channel taking ``limit`` characters a message.

    A payload that fits goes out whole, with its ``html`` (the same message formatted) when it has
    one. Otherwise the plain ``text`` goes out cut by :func:`split_text` and no part carries ``html``:
    a cut could fall inside a tag or an entity, and the formatted whole belongs to no single part.
    The raw HTML's length is what must fit, a safe bound where the channel counts characters after
    parsing the markup (Telegram's 4096). Buttons and keyboards go under the last part only.

    Args:
        payload: The outbox payload (``text``, optional ``html``, ``buttons``, ``keyboard``, ...).
        limit: The channel's ``max_text_length``; ``None`` for a channel without one.
    """
    text = payload.get("text", "")
    if not limit or max(len(text), len(payload.get("html") or "")) <= limit:
        return [payload]
    plain = {key: value for key, value in payload.items() if key != "html"}
    *first, last = split_text(text, limit)
    return [{**plain, "text": part, "buttons": [], "keyboard": None} for part in first] + [{**plain, "text": last}]
