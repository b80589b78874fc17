"""Maps Relaydesk's domain errors to JSON HTTP responses with a clear message, and logs unhandled ones.

litestar logs an unhandled exception with its traceback only in debug mode (its ``LoggingConfig``
defaults to ``log_exceptions="debug"``). :func:`internal_error` is registered for status 500, which
litestar uses for every exception no other handler claims (and for an ``HTTPException`` with status
500), so each one is logged here, whatever the mode, and answered with litestar's usual 500.
``log_exceptions="always"`` would do the logging too, but it logs every exception the handlers turn
into 4xx as well (a missing conversation, a conflict), with a traceback each time.

Every 400 has one shape, ``{"status_code", "detail", "extra": [{"field", "error"}]}``: the problems
litestar finds in a request's shape (its ``ValidationException``) are answered like Relaydesk's own
:class:`ValidationFailed`, so clients read one format whichever check refused the request.
"""

from __future__ import annotations

import logging
import re

from litestar import Request, Response
from litestar.exceptions import InternalServerException, ValidationException
from litestar.exceptions.responses import create_exception_response
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationFailed, describe

logger = logging.getLogger(__name__)

CLIENT_DISCONNECTED = "client disconnected prematurely"  # litestar's words, see _client_left
OUT_OF_RANGE = re.compile(r"out of int\d+ range|out of range for type")  # PostgreSQL's words, via asyncpg


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


def model_problems(exc: ValidationError) -> list[dict]:
    """A pydantic model's errors as ``{"field", "error"}`` problems (``field`` is the dotted path)."""
    return [{"field": ".".join(str(part) for part in error["loc"]) or "body", "error": error["msg"]}
            for error in exc.errors()]


def request_shape_invalid(_: Request, exc: ValidationException) -> Response:
    """400 for a request litestar refused before the handler ran, in the shape of :func:`invalid`.

    litestar names a missing body as the handler's parameter ``data`` (message ``'data'``, the
    KeyError it caught); the client never wrote that name, so it is told the body is required.
    """
    problems = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if item.get("key") == "data" and item.get("source") == "body":
            return _error(400, "a JSON body is required", [{"field": "body", "error": "required"}])
        problems.append({"field": item.get("key") or "body", "error": item.get("message", "invalid")})
    return _error(400, describe(problems) if problems else exc.detail, problems)


def forbidden(_: Request, exc: PermissionDenied) -> Response:
    """403 with the error's message."""
    return _error(403, str(exc) or "forbidden")


def _client_left(exc: Exception) -> bool:
    """Whether ``exc`` is litestar telling that the client went away before sending the whole body.

    litestar's ``Request.stream`` raises a plain ``InternalServerException`` with this detail on the
    ASGI ``http.disconnect`` event; no other exception says it.
    """
    return isinstance(exc, InternalServerException) and exc.detail == CLIENT_DISCONNECTED


def internal_error(request: Request, exc: Exception) -> Response:
    """Log the exception with its traceback, then answer litestar's plain 500.

    The log line names only the method and the path: no query string, headers or body, which may
    carry tokens, passwords or a shopper's messages. A client that hung up mid-body is no fault of
    the server: one INFO line, and a 400 nobody will read.
    """
    if _client_left(exc):
        logger.info("client disconnected before sending the whole body of %s %s", request.method, request.url.path)
        return _error(400, "the client disconnected before sending the whole body")
    logger.exception("unhandled exception in %s %s", request.method, request.url.path, exc_info=exc)
    return create_exception_response(request, exc)


def _too_deep(exc: RecursionError) -> bool:
    # The JSON decoders' own words; any other RecursionError is a bug and stays a logged 500.
    return any(words in str(exc) for words in ("deserializ", "decoding a JSON"))


def _out_of_range(exc: Exception) -> bool:
    # SQLite: "Python int too large to convert to SQLite INTEGER"; asyncpg: "(value out of int32 range)".
    return isinstance(exc, OverflowError) or OUT_OF_RANGE.search(str(exc)) is not None


def bad_input(request: Request, exc: Exception) -> Response:
    """A body nested too deeply, or a number beyond what the database stores: 400, not a logged 500.

    Found by QA: ``{"email": [[[…]]]}`` 1,000 deep on the anonymous sign-in, and ids such as
    99999999999999999999999 in a path or body, each logged a traceback and answered 500.
    """
    if isinstance(exc, RecursionError) and _too_deep(exc):
        return _error(400, "the JSON body is nested too deeply")
    if _out_of_range(exc):
        return _error(400, "a number in the request is out of range")
    return internal_error(request, exc)


EXCEPTION_HANDLERS = {
    RecursionError: bad_input,
    OverflowError: bad_input,
    DBAPIError: bad_input,
    HTTP_500_INTERNAL_SERVER_ERROR: internal_error,
    NotFoundError: not_found,
    ConflictError: conflict,
    ValidationFailed: invalid,
    ValidationException: request_shape_invalid,
    PermissionDenied: forbidden,
}
