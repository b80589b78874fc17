"""Login, logout and the signed-in user."""

from __future__ import annotations

from datetime import timedelta

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromQuery, JSONBody
from pydantic import BaseModel, Field

from core import events
from core.accounts import IssuedToken, authenticate, issue_token, resolve_token, revoke_tokens
from core.models import AuditRecord, StaffUser
from handoff import agents
from handoff.state import Outcome
from web.api.publishing import after_commit
from web.auth import SESSION_COOKIE, STAFF, Principal, requires
from web.deps import DbSession, Services


class LoginRequest(BaseModel):
    """Credentials of a staff member."""

    email: str = Field(max_length=255)
    password: str = Field(max_length=1024)


class LoginResponse(BaseModel):
    """A session token (also set as an HttpOnly cookie) and the CSRF token for cookie writes."""

    token: str
    csrf_token: str
    user: dict


async def _this_browsers_session(request: Request, db_session: DbSession, user: StaffUser) -> IssuedToken | None:
    """The live session of ``user`` whose cookie this browser already holds, if any.

    Signing in again in one tab must not replace the session (and its CSRF token) that the user's
    other tabs still use; a cookie of another user, or a dead one, is replaced as before.
    """
    secret = request.cookies.get(SESSION_COOKIE)
    resolved = await resolve_token(db_session, secret) if secret else None
    if resolved is None or resolved[0].id != user.id or resolved[1].kind != "session":
        return None
    return IssuedToken(secret=secret, csrf_token=resolved[1].csrf_token, record=resolved[1])


@post("/api/auth/login", exclude_from_auth=True, tags=["auth"], status_code=200, errors=(401,))
async def login(request: Request, data: JSONBody[LoginRequest], db_session: DbSession,
                services: Services) -> Response[LoginResponse]:
    """Exchange e-mail and password for a session token and cookie; 401 on bad credentials.

    A browser that already holds a live session of the same user keeps it (same token and CSRF
    token), so its other tabs go on working.
    """
    user = await authenticate(db_session, email=data.email, password=data.password)
    if user is None:
        db_session.add(AuditRecord(actor_type="system", action="auth.login_failed", target_type="staff_user",
                                   details={"email": data.email.strip().lower()[:255]}))
        await db_session.commit()  # keep the failed-attempt counter and the audit record
        raise NotAuthorizedException("wrong e-mail or password, or the account is locked")
    ttl = timedelta(hours=services.settings.session_ttl_hours)
    issued = (await _this_browsers_session(request, db_session, user)
              or await issue_token(db_session, user, kind="session", ttl=ttl))
    db_session.add(AuditRecord(actor_type="staff", actor_id=user.id, action="auth.login",
                               target_type="staff_user", target_id=str(user.id)))
    body = LoginResponse(
        token=issued.secret,
        csrf_token=issued.csrf_token or "",
        user={"id": user.id, "email": user.email, "name": user.name, "role": user.role},
    )
    cookie = Cookie(
        key=SESSION_COOKIE,
        value=issued.secret,
        httponly=True,
        samesite="strict",
        secure=services.settings.secure_cookies,
        max_age=int(ttl.total_seconds()),
        path="/",
    )
    return Response(body, cookies=[cookie])


@get("/api/auth/me", guards=[requires(*STAFF, "integration")], tags=["auth"], sync_to_thread=False)
def me(request: Request) -> dict:
    """The signed-in user, and for a cookie session its CSRF token (null with a bearer token).

    Every tab of the browser reads the token here instead of keeping its own copy. Other sites cannot
    read this answer: the cookie is SameSite=Strict and no CORS header lets them see the body.
    ``takes_conversations`` tells the console whether to offer a status and taking conversations.
    """
    principal: Principal = request.user
    return {"id": principal.user_id, "email": principal.email, "name": principal.name, "role": principal.role,
            "team_id": principal.team_id, "csrf_token": principal.csrf_token,
            "takes_conversations": principal.role in agents.ASSIGNABLE_ROLES}


@post("/api/auth/logout", guards=[requires(*STAFF, "integration")], tags=["auth"], status_code=200)
async def logout(request: Request, db_session: DbSession, services: Services,
                 everywhere: FromQuery[bool] = False) -> Response:
    """End this session, or every session and token of the user with ``?everywhere=true``.

    An agent who signs out is set offline, so routing stops giving them conversations nobody answers;
    open consoles show it at once (``agent.status``).
    """
    principal: Principal = request.user
    outcome = Outcome()
    if principal.role in agents.ASSIGNABLE_ROLES:
        agent = await agents.get(db_session, agent_id=principal.user_id)
        await agents.update_status(db_session, agent=agent, status="offline")
        load = await agents.open_load(db_session, [agent.id])
        outcome.publish(events.AGENT_STATUS, agents.view(agent, load[agent.id]))
    revoked = await revoke_tokens(
        db_session, user_id=principal.user_id, token_id=None if everywhere else principal.token_id
    )
    db_session.add(AuditRecord(actor_type="staff", actor_id=principal.user_id,
                               action="auth.logout_everywhere" if everywhere else "auth.logout"))
    response = Response({"revoked": revoked}, background=after_commit(services, outcome))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
