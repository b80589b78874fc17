"""Serves the console page and its static files; the page itself needs no login (the script asks for one)."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

STATIC = Path(__file__).parent / "static"
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# The page loads nothing from elsewhere and runs only our own script.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
                               "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@get("/console", exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
def console_page() -> Response:
    """The console's HTML shell."""
    return Response((STATIC / "console.html").read_text(encoding="utf-8"), media_type="text/html",
                    headers=SECURITY_HEADERS)


@get("/console/static/{name:str}", exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
def console_static(name: FromPath[str]) -> Response:
    """The console's script and style sheet (only files that exist in the package, by exact name)."""
    path = STATIC / name
    if path.suffix not in CONTENT_TYPES or path.parent != STATIC or not path.is_file():
        raise NotFoundException(f"no console file {name!r}")
    return Response(path.read_text(encoding="utf-8"), media_type=CONTENT_TYPES[path.suffix],
                    headers={"Cache-Control": "no-cache", **SECURITY_HEADERS})


HANDLERS = [console_page, console_static]
