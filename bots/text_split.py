"""Splitting long texts into parts a channel accepts (Telegram 4096, Viber 7000 characters)."""

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
