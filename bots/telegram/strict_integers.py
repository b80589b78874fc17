"""Integers in a Telegram Update as the Bot API sends them: JSON integers of at most 52 significant bits.

aiogram's models validate in pydantic's lax mode, which turns ``true`` into 1, ``1.0`` into 1 and
``"1"`` into 1. Telegram never sends those, and an id read that way is a wrong id: ``update_id: true``
became dedup key "1", and the real update 1 was then dropped as a repeat. The Bot API also promises
that identifiers have at most 52 significant bits (they fit a double); a wider one is no Telegram id.
So after aiogram has read the Update, every integer it holds is checked against the JSON it came from,
wherever it sits (update_id, message_id, chat.id, from.id, contact.user_id, ...): one rule for all.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

# "At most 52 significant bits": the magnitude is below 2**52.
LIMIT = 2**52

_NOT_AN_INTEGER = PydanticCustomError("int_type", "Input should be a valid integer")
_TOO_WIDE = PydanticCustomError("int_range", "Telegram integers have at most 52 significant bits")


def check_integers(model: BaseModel, raw: Any) -> None:
    """Raise pydantic's ValidationError naming every integer of ``model`` that ``raw`` did not give as one.

    ``model`` is what aiogram validated from ``raw`` (the decoded JSON). Fields are matched by their
    JSON names (``from``, not ``from_user``), so each problem is located as the sender wrote it.
    """
    problems: list[InitErrorDetails] = []
    _walk(model, raw, (), problems)
    if problems:
        raise ValidationError.from_exception_data(type(model).__name__, problems)


def _walk(value: Any, given: Any, loc: tuple[str | int, ...], problems: list[InitErrorDetails]) -> None:
    if isinstance(value, BaseModel) and isinstance(given, dict):
        for name, field in type(value).model_fields.items():
            key = field.alias or name
            if key in given:
                _walk(getattr(value, name), given[key], (*loc, key), problems)
    elif isinstance(value, list | tuple) and isinstance(given, list) and len(value) == len(given):
        for index, (item, given_item) in enumerate(zip(value, given, strict=True)):
            _walk(item, given_item, (*loc, index), problems)
    elif type(value) is int:  # bool is a subclass of int; a bool field is not an integer field
        if type(given) is not int:
            problems.append(InitErrorDetails(type=_NOT_AN_INTEGER, loc=loc, input=given))
        elif abs(given) >= LIMIT:
            problems.append(InitErrorDetails(type=_TOO_WIDE, loc=loc, input=given))
