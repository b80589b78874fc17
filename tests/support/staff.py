"""Staff accounts with API tokens, written straight into the test database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.accounts import create_user, issue_token


async def bearer_for(factory: async_sessionmaker[AsyncSession], role: str, *, email: str | None = None) -> dict:
    """Create a user with ``role`` (e-mail ``<role>@shop.ua`` unless given) and return a bearer header
    of a login session (not an API token, so token listings stay as the test makes them)."""
    async with factory() as session, session.begin():
        user = await create_user(session, email=email or f"{role}@shop.ua", password="long-password", role=role)
        issued = await issue_token(session, user, kind="session", ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {issued.secret}"}
