"""Login, logout and the signed-in user."""

from __future__ import annotations

from datetime import timedelta

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromQuery, JSONBody
from pydantic import BaseModel, Field

from core.accounts import authenticate, issue_token, revoke_tokens
from core.models import AuditRecord
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


@post("/api/auth/login", exclude_from_auth=True, tags=["auth"], status_code=200)
async def login(data: JSONBody[LoginRequest], db_session: DbSession, services: Services) -> Response[LoginResponse]:
    """Exchange e-mail and password for a session token and cookie; 401 on bad credentials."""
    user = await authenticate(db_session, email=data.email, password=data.password)
    if user is None:
        db_session.add(AuditRecord(actor_type="system", action="auth.login_failed", target_type="staff_user",
                                   details={"email": data.email.strip().lower()[:255]}))
        await db_session.commit()  # keep the failed-attempt counter and the audit record
        raise NotAuthorizedException("wrong e-mail or password, or the account is locked")
    ttl = timedelta(hours=services.settings.session_ttl_hours)
    issued = await issue_token(db_session, user, kind="session", ttl=ttl)
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
    """The signed-in user."""
    principal: Principal = request.user
    return {"id": principal.user_id, "email": principal.email, "name": principal.name, "role": principal.role,
            "team_id": principal.team_id}


@post("/api/auth/logout", guards=[requires(*STAFF, "integration")], tags=["auth"], status_code=200)
async def logout(request: Request, db_session: DbSession, everywhere: FromQuery[bool] = False) -> Response:
    """End this session, or every session and token of the user with ``?everywhere=true``."""
    principal: Principal = request.user
    revoked = await revoke_tokens(
        db_session, user_id=principal.user_id, token_id=None if everywhere else principal.token_id
    )
    db_session.add(AuditRecord(actor_type="staff", actor_id=principal.user_id,
                               action="auth.logout_everywhere" if everywhere else "auth.logout"))
    response = Response({"revoked": revoked})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
