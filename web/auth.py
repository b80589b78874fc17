"""Authentication (bearer token or session cookie) and role guards for every ``/api`` route."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from core.accounts import resolve_token
from core.database import utcnow

SESSION_COOKIE = "relaydesk_session"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Principal:
    """The signed-in staff member behind a request."""

    user_id: int
    email: str
    name: str
    role: str
    team_id: int | None
    token_id: int
    csrf_token: str | None = None  # only for a cookie session: the front-ends echo it on writes


class TokenAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Accepts ``Authorization: Bearer <token>`` or the session cookie.

    Cookie-authenticated writes must echo the session's CSRF token in ``X-CSRF-Token``: a
    cross-site form can make the browser send the cookie but cannot read the token.
    """

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        secret, via_cookie = _presented_secret(connection)
        if not secret:
            raise NotAuthorizedException("authentication required")
        services = connection.app.state.services
        async with services.session_factory() as session:
            resolved = await resolve_token(session, secret)
            if resolved is None:
                raise NotAuthorizedException("invalid or expired token")
            user, token = resolved
            if via_cookie and connection.scope["type"] == "http" and connection.scope["method"] in UNSAFE_METHODS:
                presented = connection.headers.get(CSRF_HEADER, "")
                if not token.csrf_token or not hmac.compare_digest(presented, token.csrf_token):
                    raise PermissionDeniedException("missing or wrong CSRF token")
            token.last_used_at = utcnow()
            await session.commit()
        principal = Principal(user.id, user.email, user.name, user.role, user.team_id, token.id,
                              token.csrf_token if via_cookie else None)
        return AuthenticationResult(user=principal, auth=token.id)


def _presented_secret(connection: ASGIConnection) -> tuple[str | None, bool]:
    header = connection.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), False
    cookie = connection.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie, True
    # Browsers cannot set headers on WebSocket handshakes; scripts may pass the token in the query.
    if connection.scope["type"] == "websocket":
        return connection.query_params.get("token"), False
    return None, False


def requires(*roles: str):
    """A guard that lets only the given roles through (403 for the others)."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if connection.user.role not in allowed:
            raise PermissionDeniedException(
                f"role {connection.user.role!r} may not do this; allowed: {', '.join(sorted(allowed))}"
            )

    guard.allowed_roles = allowed  # read by the role-matrix test
    return guard


STAFF = ("admin", "supervisor", "agent", "editor")
AGENTS = ("admin", "supervisor", "agent")
EDITORS = ("admin", "editor")
SUPERVISORS = ("admin", "supervisor")
