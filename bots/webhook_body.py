"""Reading webhook bodies: JSON objects only, with a clear 400 otherwise."""

from __future__ import annotations

import json
from typing import Any

from litestar.exceptions import HTTPException


class BadWebhookBody(HTTPException):
    """400: the body is not the JSON object the sender's API promises."""

    status_code = 400


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """Decode ``raw`` as a JSON object.

    Raises:
        BadWebhookBody: not UTF-8 JSON, or JSON that is not an object.
    """
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadWebhookBody(detail=f"body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BadWebhookBody(detail="body must be a JSON object")
    return value
