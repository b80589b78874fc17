"""Errors shared by every package; the web layer maps them to HTTP statuses."""


class RelaydeskError(Exception):
    """Base of every error Relaydesk raises on purpose."""


class ConfigurationError(RelaydeskError):
    """A setting is missing or invalid; the message names the variable."""


class NotFoundError(RelaydeskError):
    """The requested object does not exist (HTTP 404)."""


class ConflictError(RelaydeskError):
    """The request conflicts with the current state, e.g. a reply to a resolved conversation (HTTP 409)."""


class ValidationFailed(RelaydeskError):
    """Input was well-formed but not acceptable (HTTP 400); ``details`` lists every problem."""

    def __init__(self, message: str, details: list[dict] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


def describe(problems: list[dict]) -> str:
    """Field problems (``{"field", "error"}``) as one line naming each field: ``"skills: …; is_vip: …"``."""
    return "; ".join(f"{problem['field']}: {problem['error']}" for problem in problems)


class PermissionDenied(RelaydeskError):
    """The caller's role may not do this (HTTP 403)."""
