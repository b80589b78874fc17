"""Staff accounts: password hashing, login, sessions and API tokens.

Passwords are hashed with argon2id. Session and API tokens are random 32-byte secrets handed to
the client once; only their SHA-256 is stored, so a database leak does not leak live tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.database import utcnow
from core.errors import ConflictError, ValidationFailed
from core.models import AuditRecord, AuthToken, StaffUser, Team
from core.settings import ROLES

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8
# After this many failed logins the account is locked for LOCKOUT, against password guessing.
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=5)
# A dummy hash so that an unknown e-mail costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("relaydesk-timing-equaliser")


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its argon2 hash in constant time."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    """The stored form of a session or API token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(
    session: AsyncSession, *, email: str, password: str, role: str, name: str = "", team: str | None = None
) -> StaffUser:
    """Create a staff account (and its team when named and new).

    Raises:
        ValidationFailed: unknown role, short password, malformed e-mail, or a name or team name
            longer than its column.
        ConflictError: the e-mail is taken.
    """
    email = email.strip().lower()
    team = (team or "").strip() or None
    problems = []
    if role not in ROLES:
        problems.append({"field": "role", "error": f"unknown role {role!r}; one of {', '.join(ROLES)}"})
    if "@" not in email or len(email) > _column_length(StaffUser.email):
        problems.append({"field": "email", "error": "not an e-mail address"})
    # The columns' own limits, checked here so that PostgreSQL does not refuse the insert with a
    # traceback and SQLite does not store a team name that `teams set` then refuses.
    if len(name) > _column_length(StaffUser.name):
        problems.append({"field": "name", "error": f"name: at most {_column_length(StaffUser.name)} characters"})
    if team is not None and len(team) > _column_length(Team.name):
        problems.append({"field": "team", "error": f"team: at most {_column_length(Team.name)} characters"})
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append({"field": "password", "error": f"at least {MIN_PASSWORD_LENGTH} characters"})
    if problems:
        raise ValidationFailed("; ".join(p["error"] for p in problems), problems)
    if await session.scalar(select(StaffUser.id).where(StaffUser.email == email)):
        raise ConflictError(f"a user with e-mail {email} exists")
    team_id = (await get_or_create_team(session, name=team)).id if team else None
    user = StaffUser(email=email, password_hash=hash_password(password), role=role, name=name, team_id=team_id)
    session.add(user)
    await session.flush()
    session.add(AuditRecord(actor_type="system", action="user.create", target_type="staff_user",
                            target_id=str(user.id), details={"email": email, "role": role}))
    return user


def _column_length(column: object) -> int:
    return column.property.columns[0].type.length


async def get_or_create_team(session: AsyncSession, *, name: str) -> Team:
    """The team called ``name``, created with default hours and SLA when it does not exist."""
    team = await session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        session.add(team)
        await session.flush()
    return team


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued token: ``secret`` is shown to the client once and never stored."""

    secret: str
    csrf_token: str | None
    record: AuthToken


async def authenticate(session: AsyncSession, *, email: str, password: str) -> StaffUser | None:
    """The active user with these credentials, or None; counts failures and locks out guessers."""
    user = await session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        return None
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        return None
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        return None
    user.failed_logins = 0
    user.locked_until = None
    return user


async def issue_token(
    session: AsyncSession, user: StaffUser, *, kind: str, ttl: timedelta | None, name: str | None = None
) -> IssuedToken:
    """Issue a session (with a CSRF token for cookie use) or an API token for ``user``."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24) if kind == "session" else None
    record = AuthToken(
        user_id=user.id,
        kind=kind,
        name=name,
        token_hash=hash_token(secret),
        csrf_token=csrf,
        expires_at=utcnow() + ttl if ttl else None,
    )
    session.add(record)
    await session.flush()
    return IssuedToken(secret=secret, csrf_token=csrf, record=record)


async def resolve_token(session: AsyncSession, secret: str) -> tuple[StaffUser, AuthToken] | None:
    """The user and token record behind a presented secret, if it is live."""
    token = await session.scalar(select(AuthToken).where(AuthToken.token_hash == hash_token(secret)))
    now = utcnow()
    if token is None or token.revoked_at or (token.expires_at and token.expires_at <= now):
        return None
    user = await session.get(StaffUser, token.user_id)
    if user is None or not user.active:
        return None
    return user, token


async def token_is_live(session: AsyncSession, token_id: int) -> bool:
    """Whether token ``token_id`` still signs its user in: not revoked, not expired, the user active."""
    token = await session.get(AuthToken, token_id, populate_existing=True)
    if token is None or token.revoked_at or (token.expires_at and token.expires_at <= utcnow()):
        return False
    user = await session.get(StaffUser, token.user_id, populate_existing=True)
    return user is not None and user.active


async def revoke_tokens(session: AsyncSession, *, user_id: int, token_id: int | None = None) -> int:
    """Revoke one token, or every token of the user ("log out everywhere"); returns how many."""
    statement = update(AuthToken).where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
    if token_id is not None:
        statement = statement.where(AuthToken.id == token_id)
    result = await session.execute(statement.values(revoked_at=utcnow()))
    return result.rowcount or 0

