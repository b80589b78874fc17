"""Named API tokens for integrations and staff scripts: issue, list, revoke.

A token belongs to a staff user and acts with that user's role. Integrations get a service account
of their own (an account that cannot sign in with a password) so that their role is independent of
any person's. The secret is returned once; only its SHA-256 is stored (see :mod:`core.accounts`).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.accounts import IssuedToken, hash_password, issue_token
from core.database import utcnow
from core.errors import ConflictError, NotFoundError, ValidationFailed
from core.models import AuditRecord, AuthToken, StaffUser
from core.settings import ROLES

SERVICE_ACCOUNT_DOMAIN = "integrations.relaydesk.invalid"
MAX_NAME_LENGTH = 128


@dataclass(frozen=True)
class TokenView:
    """An API token as listed: never the secret."""

    id: int
    name: str | None
    user_id: int
    user_email: str
    role: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    def as_dict(self) -> dict:
        """The JSON form."""
        return dict(self.__dict__)


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(f"a token needs a name of 1-{MAX_NAME_LENGTH} characters",
                               [{"field": "name", "error": f"1-{MAX_NAME_LENGTH} characters"}])
    return name


async def create_user_token(session: AsyncSession, *, user: StaffUser, name: str,
                            actor_id: int | None = None) -> IssuedToken:
    """Issue a named API token that acts as ``user`` (audited as ``token.create``).

    Raises:
        ValidationFailed: empty or too long name.
    """
    issued = await issue_token(session, user, kind="api", ttl=None, name=_check_name(name))
    session.add(AuditRecord(actor_type="staff" if actor_id else "system", actor_id=actor_id, action="token.create",
                            target_type="auth_token", target_id=str(issued.record.id),
                            details={"name": issued.record.name, "user_id": user.id, "role": user.role}))
    return issued


async def create_service_token(session: AsyncSession, *, name: str, role: str,
                               actor_id: int | None = None) -> tuple[StaffUser, IssuedToken]:
    """Create a service account with ``role`` and issue its API token.

    Raises:
        ValidationFailed: unknown role or bad name.
    """
    name = _check_name(name)
    if role not in ROLES:
        raise ValidationFailed(f"unknown role {role!r}; one of {', '.join(ROLES)}",
                               [{"field": "role", "error": f"one of {', '.join(ROLES)}"}])
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "token"
    account = StaffUser(email=f"{slug}-{secrets.token_hex(4)}@{SERVICE_ACCOUNT_DOMAIN}", name=name, role=role,
                        # Nobody knows this password: the account signs in with its token only.
                        password_hash=hash_password(secrets.token_urlsafe(32)))
    session.add(account)
    await session.flush()
    return account, await create_user_token(session, user=account, name=name, actor_id=actor_id)


async def list_tokens(session: AsyncSession, *, user_id: int | None = None,
                      include_revoked: bool = False) -> list[TokenView]:
    """API tokens (not login sessions), newest first; only ``user_id``'s when given."""
    statement = (select(AuthToken, StaffUser).join(StaffUser, StaffUser.id == AuthToken.user_id)
                 .where(AuthToken.kind == "api").order_by(AuthToken.id.desc()))
    if user_id is not None:
        statement = statement.where(AuthToken.user_id == user_id)
    if not include_revoked:
        statement = statement.where(AuthToken.revoked_at.is_(None))
    return [TokenView(token.id, token.name, user.id, user.email, user.role, token.created_at.isoformat(),
                      _iso(token.last_used_at), _iso(token.revoked_at))
            for token, user in await session.execute(statement)]


async def revoke_token(session: AsyncSession, *, token_id: int, owner_id: int | None = None,
                       actor_id: int | None = None) -> None:
    """Revoke an API token (audited as ``token.revoke``); ``owner_id`` limits it to that user's tokens.

    Raises:
        NotFoundError: no such API token (or not the owner's).
        ConflictError: the token is already revoked; it exists and already does what was asked,
            so "not found" would send the caller looking for a wrong id.
    """
    token = await session.get(AuthToken, token_id)
    if token is None or token.kind != "api" or (owner_id is not None and token.user_id != owner_id):
        raise NotFoundError(f"no API token {token_id}")
    if token.revoked_at:
        raise ConflictError(f"API token {token_id} is already revoked")
    token.revoked_at = utcnow()
    session.add(AuditRecord(actor_type="staff" if actor_id else "system", actor_id=actor_id, action="token.revoke",
                            target_type="auth_token", target_id=str(token_id),
                            details={"name": token.name, "user_id": token.user_id}))


def _iso(value) -> str | None:
    return value.isoformat() if value else None
