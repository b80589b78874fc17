"""Splitting long messages into parts a channel accepts, measured the way that channel counts.

Telegram counts UTF-16 code units (4096 a message; an emoji outside the Basic Multilingual Plane
counts 2), Viber counts characters (7000). Each messenger names its limit (``max_text_length``) and
its measure (``text_length``); this module cuts by both.
"""

from __future__ import annotations

from collections.abc import Callable

import regex

# Preferred cut points, best first: a paragraph, a line, a sentence, a word.
_SEPARATORS = ("\n\n", "\n", ". ", " ")
# One user-perceived character: a letter with its accents, a flag, an emoji with its skin tone or ZWJ family.
_GRAPHEME = regex.compile(r"\X")

TextLength = Callable[[str], int]


def utf16_length(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, as Telegram counts it (😀 is 2)."""
    # surrogatepass: a lone surrogate (from a broken client) still counts 1 instead of raising.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def split_text(text: str, limit: int, length: TextLength = len) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` (as ``length`` measures), at the most natural boundary.

    A part is cut at the last paragraph break, line break, sentence end or space that fits (in that
    order of preference, ignoring cut points in the first half of the part so that parts stay
    reasonably full). A single word longer than the limit is cut hard, between graphemes, so an
    accented letter, a flag or an emoji sequence stays whole; only a grapheme that alone exceeds the
    limit is cut between its code points (Python characters, so never inside a surrogate pair).

    Args:
        text: The text to cut.
        limit: The most a part may measure.
        length: The channel's measure: ``len`` (characters) or :func:`utf16_length`.

    Returns:
        The parts, in order; ``[text]`` when it fits (also for an empty text).
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    rest = text
    while length(rest) > limit:
        fit = _fitting_prefix(rest, limit, length)
        # A code point measuring more than the whole limit still goes out, alone, rather than looping.
        cut = _natural_cut(rest[:fit]) or _last_grapheme_boundary(rest, fit) or fit or 1
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n")
    parts.append(rest)
    return [part for part in parts if part] or [""]


def message_parts(payload: dict, limit: int | None, length: TextLength = len) -> list[dict]:
    """The messages an outbox payload goes out as, on a channel taking ``limit`` (by ``length``) a message.

    A payload that fits goes out whole, with its ``html`` (the same message formatted) when it has
    one. Otherwise the plain ``text`` goes out cut by :func:`split_text` and no part carries ``html``:
    a cut could fall inside a tag or an entity, and the formatted whole belongs to no single part.
    The raw HTML's length is what must fit, a safe bound where the channel counts the text after
    parsing the markup (Telegram's 4096). Buttons and keyboards go under the last part only.

    Args:
        payload: The outbox payload (``text``, optional ``html``, ``buttons``, ``keyboard``, ...).
        limit: The channel's ``max_text_length``; ``None`` for a channel without one.
        length: The channel's ``text_length``: how it counts a text against ``limit``.
    """
    text = payload.get("text", "")
    if not limit or max(length(text), length(payload.get("html") or "")) <= limit:
        return [payload]
    plain = {key: value for key, value in payload.items() if key != "html"}
    *first, last = split_text(text, limit, length)
    return [{**plain, "text": part, "buttons": [], "keyboard": None} for part in first] + [{**plain, "text": last}]


def _fitting_prefix(text: str, limit: int, length: TextLength) -> int:
    """How many characters of ``text`` fit in ``limit``; a measure counts each character at least 1."""
    low, high = 0, min(len(text), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if length(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def _natural_cut(window: str) -> int:
    """Where to end a part that is ``window`` at most: after its best separator in the second half; 0 if none."""
    for separator in _SEPARATORS:
        position = window.rfind(separator)
        if position >= len(window) // 2:
            return position + len(separator)
    return 0


def _last_grapheme_boundary(text: str, position: int) -> int:
    """The last grapheme boundary of ``text`` at or before ``position``; 0 when the first grapheme ends after it."""
    boundary = 0
    # The whole text is segmented (lazily), not text[:position]: what follows decides whether position is a boundary.
    for grapheme in _GRAPHEME.finditer(text):
        if grapheme.end() > position:
            break
        boundary = grapheme.end()
    return boundary
