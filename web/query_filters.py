"""Query filters with a fixed set of values: documented as an enum, and a 400 naming the values otherwise.

Worded like ``GET /api/conversations?status=…`` (``handoff.services.get_all``), so every list
answers an unknown filter value the same way instead of an empty list or a silent fallback.
"""

from __future__ import annotations

from collections.abc import Sequence

from litestar.params import Parameter

from core.errors import ValidationFailed


def one_of(name: str, value: str | None, allowed: Sequence[str]) -> str | None:
    """``value`` when it is omitted (None) or one of ``allowed``.

    Raises:
        ValidationFailed: another value; the message names the allowed ones.
    """
    if value is not None and value not in allowed:
        raise ValidationFailed(f"unknown {name} {value!r}; one of {', '.join(allowed)}",
                               [{"field": name, "error": f"unknown {name}"}])
    return value


def choice(allowed: Sequence[str]) -> Parameter:
    """A query parameter documented as one of ``allowed`` (checked by :func:`one_of`, not by litestar,
    so the 400 names the allowed values)."""
    return Parameter(schema_extra={"enum": list(allowed)})

