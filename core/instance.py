"""Values every process of one installation must share, kept in the database."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import InstanceValue


async def get_or_create_secret_key(factory: async_sessionmaker[AsyncSession]) -> str:
    """The installation's secret key, generated and stored on first start.

    Several processes may start at once; the primary key makes exactly one insert win and the
    others read the winner's value.
    """
    query = select(InstanceValue.value).where(InstanceValue.key == "secret_key")
    async with factory() as session:
        value = await session.scalar(query)
    if value:
        return value
    try:
        async with factory() as session, session.begin():
            session.add(InstanceValue(key="secret_key", value=secrets.token_urlsafe(48)))
    except IntegrityError:
        pass  # another process won the race; read its key below
    async with factory() as session:
        return await session.scalar(query)
