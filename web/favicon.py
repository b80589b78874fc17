"""The Relaydesk icon: ``/favicon.svg``, which every page links, and ``/favicon.ico``, which browsers and
other clients ask for on their own (the same SVG: every browser that shows an icon reads it)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from litestar import Response, get

ICON = Path(__file__).parent / "favicon.svg"


@cache
def _icon() -> bytes:
    return ICON.read_bytes()


@get(["/favicon.svg", "/favicon.ico"], exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
def favicon() -> Response:
    """The icon, cached by the browser for a day (it changes only with a release)."""
    return Response(_icon(), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
