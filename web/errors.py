"""Maps Relaydesk's domain errors to JSON HTTP responses with a clear message."""

from __future__ import annotations

from litestar import Request, Response

from core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationFailed


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


EXCEPTION_HANDLERS = {
    NotFoundError: not_found,
    ConflictError: conflict,
    ValidationFailed: invalid,
    PermissionDenied: forbidden,
}
