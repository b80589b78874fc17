"""Maps Relaydesk's domain errors to JSON HTTP responses with a clear message, and logs unhandled ones.

litestar logs an unhandled exception with its traceback only in debug mode (its ``LoggingConfig``
defaults to ``log_exceptions="debug"``). :func:`internal_error` is registered for status 500, which
litestar uses for every exception no other handler claims (and for an ``HTTPException`` with status
500), so each one is logged here, whatever the mode, and answered with litestar's usual 500.
``log_exceptions="always"`` would do the logging too, but it logs every exception the handlers turn
into 4xx as well (a missing conversation, a conflict), with a traceback each time.
"""

from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.exceptions.responses import create_exception_response
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationFailed

logger = logging.getLogger(__name__)


def _error(status: int, message: str, details: list | None = None) -> Response:
    body: dict = {"status_code": status, "detail": message}
    if details:
        body["extra"] = details
    return Response(body, status_code=status)


def not_found(_: Request, exc: NotFoundError) -> Response:
    """404 with the error's message."""
    return _error(404, str(exc) or "not found")


def conflict(_: Request, exc: ConflictError) -> Response:
    """409 with the error's message."""
    return _error(409, str(exc))


def invalid(_: Request, exc: ValidationFailed) -> Response:
    """400 listing every problem."""
    return _error(400, str(exc), exc.details)


def forbidden(_: Request, exc: PermissionDenied) -> Response:
    """403 with the error's message."""
    return _error(403, str(exc) or "forbidden")


def internal_error(request: Request, exc: Exception) -> Response:
    """Log the exception with its traceback, then answer litestar's plain 500.

    The log line names only the method and the path: no query string, headers or body, which may
    carry tokens, passwords or a shopper's messages.
    """
    logger.exception("unhandled exception in %s %s", request.method, request.url.path, exc_info=exc)
    return create_exception_response(request, exc)


EXCEPTION_HANDLERS = {
    HTTP_500_INTERNAL_SERVER_ERROR: internal_error,
    NotFoundError: not_found,
    ConflictError: conflict,
    ValidationFailed: invalid,
    PermissionDenied: forbidden,
}
