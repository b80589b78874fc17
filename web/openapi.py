"""The error answers the OpenAPI schema documents for each operation, derived from the routes when the app is built.

Every operation may answer, besides its success status (the body shape is ``web.errors``'s):

* 400 — any request: a U+0000 in the URL (``web.requests``), a malformed parameter or body;
* 401 — unless the handler is ``exclude_from_auth``: no token or session, or an invalid or expired one;
* 403 — a handler with a role guard (a role it does not allow), and any authenticated write (a
  cookie session without its CSRF token);
* 404 — a path with parameters (the object it names does not exist);
* 413 — a handler that reads a body (larger than ``MAX_REQUEST_BYTES``);
* whatever else the handler declares with the ``errors`` option, e.g. ``@post(..., errors=(409,))``
  for a handler that raises ``ConflictError``, or 404 when the body names an object that may be missing.

A handler's own ``responses=`` wins over a derived entry of the same status.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.routes import HTTPRoute

from web.auth import UNSAFE_METHODS

ERRORS_OPTION = "errors"  # the handler option naming statuses beyond the derived ones

DESCRIPTIONS = {
    400: "The request is malformed or invalid; ``extra`` lists each problem with its field",
    401: "Not signed in: no bearer token or session cookie, or an invalid or expired one",
    403: "The signed-in role may not do this, or a cookie session's write lacks its CSRF token",
    404: "The object the path names does not exist",
    409: "The request conflicts with the object's current state",
    413: "The request body is larger than the server accepts",
    429: "Too many requests; try again later",
}


@dataclass
class Problem:
    """One problem of a refused request."""

    field: str
    error: str


@dataclass
class ErrorBody:
    """An error answer: ``status_code`` repeats the HTTP status, ``detail`` says what is wrong."""

    status_code: int
    detail: str
    extra: list[Problem] | None = None


def error_statuses(route: HTTPRoute, handler: HTTPRouteHandler) -> set[int]:
    """The error statuses ``handler`` may answer on ``route`` (see the module's docstring)."""
    statuses = {400}
    authenticated = not handler.opt.get("exclude_from_auth")
    if authenticated:
        statuses.add(401)
    if handler.resolve_guards() or (authenticated and handler.http_methods & UNSAFE_METHODS):
        statuses.add(403)
    if route.path_parameters:
        statuses.add(404)
    if handler.parsed_data_field is not None:
        statuses.add(413)
    statuses.update(handler.opt.get(ERRORS_OPTION, ()))
    return statuses


def _spec(status: int) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorBody, description=DESCRIPTIONS.get(status, "Error"),
                        generate_examples=False)


def document_error_responses(app: Litestar) -> None:
    """Add the derived error answers to every documented operation of ``app``.

    Call it once the app is built and before the schema is first served: litestar builds the schema
    lazily from the handlers' ``responses``.
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            derived = {status: _spec(status) for status in sorted(error_statuses(route, handler))}
            handler.responses = {**derived, **(handler.responses or {})}
