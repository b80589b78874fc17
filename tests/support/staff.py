"""Staff accounts with login tokens, written straight into the test database.

Argon2 is slow on purpose; the accounts here share one hash per password (computed once) so that
fixtures stay fast. Use :func:`core.accounts.create_user` where the creation itself is under test.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.accounts import hash_password, issue_token
from core.models import StaffUser


@cache
def password_hash(password: str) -> str:
    """The argon2 hash of ``password``, computed once per test run."""
    return hash_password(password)


async def add_staff(session: AsyncSession, *, email: str, role: str, name: str = "",
                    password: str = "long-password") -> StaffUser:
    """Insert a staff account (no audit record, no validation)."""
    user = StaffUser(email=email, name=name, role=role, password_hash=password_hash(password))
    session.add(user)
    await session.flush()
    return user


async def bearer_for(factory: async_sessionmaker[AsyncSession], role: str, *, email: str | None = None) -> dict:
    """Create a user with ``role`` (e-mail ``<role>@shop.ua`` unless given) and return a bearer header
    of a login session (not an API token, so token listings stay as the test makes them)."""
    async with factory() as session, session.begin():
        user = await add_staff(session, email=email or f"{role}@shop.ua", role=role)
        issued = await issue_token(session, user, kind="session", ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {issued.secret}"}
