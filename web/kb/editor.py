"""The knowledge-base editor at ``/kb``: one server-rendered page and its script and styles.

The page carries no data: the script signs in and talks to the REST API, and builds every element
with ``textContent`` so nothing an editor or a shopper typed is ever parsed as HTML.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.static_files import create_static_files_router

STATIC = Path(__file__).parent / "static"
# Only our own script and styles run on the page, whatever ends up in an article.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@get(["/kb", "/kb/"], exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
def editor_page() -> Response[str]:
    """The editor's page (sign-in, articles, inbox); the script does the rest."""
    return Response((STATIC / "kb.html").read_text(encoding="utf-8"), media_type="text/html",
                    headers=SECURITY_HEADERS)


editor_assets = create_static_files_router("/kb/static", directories=[STATIC], opt={"exclude_from_auth": True},
                                           name="kb-static")
