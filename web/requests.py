"""Requests whose JSON bodies, paths and queries hold only text the database can store.

PostgreSQL refuses the NUL character (U+0000) in text, so a request holding one failed deep in the
handler with a logged 500 (found by QA, on the anonymous sign-in too), while SQLite stored it. A JSON
body with a NUL anywhere, in a value or a key at any depth, and a path or query parameter with one,
are refused here with a 400 naming the field, on both backends alike. The messengers' webhooks read
their raw bodies and replace the character instead (``bots/normalize.py``): a shopper's message is
never refused for it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request

from core.errors import ValidationFailed, describe

NUL = "\x00"
NUL_ERROR = "must not contain the NUL character (U+0000)"


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
        """The decoded JSON body; raises :class:`ValidationFailed` when any text in it holds U+0000."""
        value = await super().json()
        field = _nul_field(value, "")
        if field is not None:
            problems = [{"field": field or "body", "error": NUL_ERROR}]
            raise ValidationFailed(describe(problems), problems)
        return value


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
