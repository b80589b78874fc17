"""Security headers on every response: CSP without inline scripts, no framing, no sniffing.

Extension point: a route handler that must be embeddable in other sites' pages (the web chat
widget) declares ``opt={"frame_ancestors": "*"}`` (or a list of origins as one string); its
responses then carry that ``frame-ancestors`` and no ``X-Frame-Options``.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

FRAME_ANCESTORS_OPT = "frame_ancestors"
# Inline styles stay allowed (style attributes are common in templates and cannot run code);
# scripts must come from our own origin, so an injected <script> or onclick= never runs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
)
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
# The OpenAPI viewer pages load their renderer from a CDN; they get the common headers only.
UNRESTRICTED_PREFIXES = ("/schema",)


async def security_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: add the headers to each HTTP response start (errors and 404s included)."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in COMMON_HEADERS.items():
        headers.setdefault(name, value)
    if scope.get("path", "").startswith(UNRESTRICTED_PREFIXES):
        return
    handler = scope.get("route_handler")
    frame_ancestors = (handler.opt.get(FRAME_ANCESTORS_OPT) if handler is not None else None) or "'none'"
    headers.setdefault("Content-Security-Policy", f"{CONTENT_SECURITY_POLICY}; frame-ancestors {frame_ancestors}")
    if frame_ancestors == "'none'":
        headers.setdefault("X-Frame-Options", "DENY")
