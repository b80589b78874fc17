"""Dependency providers: one database session per request, committed once at the end."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from web.services import AppServices


async def provide_db_session(state: State) -> AsyncGenerator[AsyncSession, None]:
    """A session for the request: committed after the handler succeeds, rolled back if it raises."""
    async with state.services.session_factory() as session:
        try:
            yield session
        except Exception:
            await session.rollback()
            raise
        else:
            await session.commit()


def provide_services(state: State) -> AppServices:
    """The app's long-lived services."""
    return state.services


# Parameter types for handlers: the parameter name selects the provider, the type documents it.
DbSession = NamedDependency[AsyncSession]
Services = NamedDependency[AppServices]
