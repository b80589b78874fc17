"""``/api/tokens``: named API tokens for integrations (admins) and for staff members themselves."""

from __future__ import annotations

from litestar import Request, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, Field

from core.api_tokens import create_service_token, create_user_token, list_tokens, revoke_token
from core.errors import NotFoundError, PermissionDenied
from core.models import StaffUser
from web.auth import STAFF, Principal, requires
from web.deps import DbSession


class TokenRequest(BaseModel):
    """A new token: for the caller, or (admins, with ``role``) for a new integration account."""

    name: str = Field(min_length=1, max_length=128)
    role: str | None = Field(None, description="Admins only: create a service account with this role.")


@post("/api/tokens", guards=[requires(*STAFF)], tags=["tokens"], status_code=201)
async def create_token(request: Request, data: JSONBody[TokenRequest], db_session: DbSession) -> dict:
    """Issue an API token; the secret is in this response only. 403 when a non-admin sets ``role``."""
    principal: Principal = request.user
    if data.role is not None:
        if principal.role != "admin":
            raise PermissionDenied("only admins create tokens for integration accounts")
        user, issued = await create_service_token(db_session, name=data.name, role=data.role,
                                                  actor_id=principal.user_id)
    else:
        user = await db_session.get(StaffUser, principal.user_id)
        if user is None:
            raise NotFoundError("the signed-in user no longer exists")
        issued = await create_user_token(db_session, user=user, name=data.name, actor_id=principal.user_id)
    return {"id": issued.record.id, "name": issued.record.name, "user_id": user.id, "user_email": user.email,
            "role": user.role, "token": issued.secret, "created_at": issued.record.created_at.isoformat()}


@get("/api/tokens", guards=[requires(*STAFF)], tags=["tokens"])
async def tokens(request: Request, db_session: DbSession, include_revoked: FromQuery[bool] = False) -> list[dict]:
    """API tokens, newest first, without secrets: every token for admins, one's own for the others."""
    principal: Principal = request.user
    owner = None if principal.role == "admin" else principal.user_id
    return [view.as_dict() for view in await list_tokens(db_session, user_id=owner,
                                                           include_revoked=include_revoked)]


@delete("/api/tokens/{token_id:int}", guards=[requires(*STAFF)], tags=["tokens"], status_code=204, errors=(409,))
async def delete_token(request: Request, token_id: FromPath[int], db_session: DbSession) -> None:
    """Revoke an API token at once (admins: any; others: their own; 404 otherwise, 409 when already revoked)."""
    principal: Principal = request.user
    await revoke_token(db_session, token_id=token_id, actor_id=principal.user_id,
                       owner_id=None if principal.role == "admin" else principal.user_id)
