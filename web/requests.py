"""Requests whose JSON bodies, paths and queries hold only text the database can store.

PostgreSQL refuses the NUL character (U+0000) in text, so a request holding one failed deep in the
handler with a logged 500 (found by QA, on the anonymous sign-in too), while SQLite stored it. A JSON
body with a NUL anywhere, in a value or a key at any depth, and a path or query parameter with one,
are refused here with a 400 naming the field, on both backends alike. The messengers' webhooks read
their raw bodies and replace the character instead (``bots/normalize.py``): a shopper's message is
never refused for it.

Every route reads its JSON body through :meth:`TextSafeRequest.json`, so the decoder's complaints are
made clearer here, once for all (found by QA): a lone surrogate escape near the end of a body was
called "truncated", and a number beyond a double's range was reported without naming the body.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import SerializationException

from core.errors import ValidationFailed, describe

NUL = "\x00"
NUL_ERROR = "must not contain the NUL character (U+0000)"
# msgspec's words for a body cut off mid-value. It says them too for a high surrogate escape
# ("\ud800") followed by fewer bytes than a second escape takes, where the same escape earlier in
# a longer body is "JSON is malformed: unexpected end of escaped utf-16 surrogate pair".
TRUNCATED = "Input data was truncated"
# Blanks after a body change no valid JSON and leave a truly cut-off body cut off; as many as a
# "\udc00" escape has give the decoder room to look for the second escape and name the real problem.
ESCAPE_ROOM = b" " * 6
NUMBER_ERROR = "a number in the JSON body is out of range"


def refuse_nul_in_url(request: Request) -> None:
    """Before the handler runs: a path or query parameter holding U+0000 gets the body's 400."""
    parameters = [*request.path_params.items(), *request.query_params.multi_items()]
    problems = [{"field": name, "error": NUL_ERROR} for name, value in parameters
                if isinstance(value, str) and NUL in value]
    if problems:
        raise ValidationFailed(describe(problems), problems)


class TextSafeRequest(Request):
    """litestar's request, refusing JSON bodies with a NUL character (see the module's docstring)."""

    async def json(self) -> Any:
        """The decoded JSON body.

        Raises:
            ValidationFailed: any text in it holds U+0000, or a number is beyond a double's range.
            SerializationException: the body is not JSON (litestar answers 400 with its message).
        """
        try:
            value = await super().json()
        except SerializationException as exc:
            raise _clearer(exc, await self.body()) from exc
        field = _nul_field(value, "")
        if field is not None:
            problems = [{"field": field or "body", "error": NUL_ERROR}]
            raise ValidationFailed(describe(problems), problems)
        return value


def _clearer(exc: SerializationException, body: bytes) -> Exception:
    """The error to raise for a body the decoder refused: ``exc`` itself unless it can say more."""
    # An untyped decode raises msgspec's ValidationError only for "Number out of range"; its path
    # (`$[...][0][...]`) hides the keys, so the body is named.
    if isinstance(exc.__cause__, msgspec.ValidationError):
        return ValidationFailed(NUMBER_ERROR, [{"field": "body", "error": "a number is out of range"}])
    if str(exc) == TRUNCATED:
        try:
            msgspec.json.decode(body + ESCAPE_ROOM)
        except msgspec.DecodeError as padded:
            return SerializationException(str(padded))
    return exc


def _nul_field(value: Any, path: str) -> str | None:
    """The dotted path of the first text holding a NUL (``""`` for the body itself), else None."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        here = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and NUL in key:
            return here
        found = _nul_field(item, here)
        if found is not None:
            return found
    return None
