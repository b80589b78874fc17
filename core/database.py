"""The async SQLAlchemy engine, sessions and the declarative base shared by every package."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import JSON, MetaData, event, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import DateTime, TypeDecorator

from core.settings import Settings

# Stable constraint names keep Alembic autogenerate and `alembic check` deterministic on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use core.database.utcnow()")
        try:
            return value.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+14:00: valid in its offset, before the year 1 in UTC
            raise ValueError(f"{value.isoformat()} lies outside the years 1-9999 in UTC") from None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every Relaydesk table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(settings: Settings) -> AsyncEngine:
    """Create the async engine for ``settings.database_url``.

    SQLite gets WAL mode, foreign keys and a busy timeout so that the web process and its
    background workers can share one file; PostgreSQL gets a bounded pool. Errors leave out the
    statement's parameters, so a logged traceback never carries a shopper's message or a password.
    """
    if settings.is_sqlite:
        engine = create_async_engine(settings.database_url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    return create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
    )


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (no lazy reloads in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit when the block succeeds, roll back when it raises."""
    async with factory() as session, session.begin():
        yield session


async def serialize(session: AsyncSession, name: str) -> None:
    """Make the transactions that call this with the same ``name`` go on one at a time, until each commits.

    For read-then-write steps that must not interleave across processes (two transactions reading
    the same "last" value and both writing the next one). PostgreSQL: a transaction-scoped advisory
    lock. SQLite needs none: it lets one transaction write at a time, so a caller that has written
    before calling this already runs alone.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _advisory_key(name)})


async def try_serialize(session: AsyncSession, name: str) -> bool:
    """Like :func:`serialize`, but without waiting: whether this transaction now holds ``name``.

    For work that one process at a time is enough to do (a periodic job that every process
    schedules): the others skip it rather than queue up and repeat it. SQLite always answers True:
    its one-writer lock already keeps two such transactions from writing at once.
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(await session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _advisory_key(name)}))


def _advisory_key(name: str) -> int:
    # PostgreSQL advisory locks are keyed by a bigint; a stable hash keeps every process on the same key.
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


# PostgreSQL SQLSTATEs of a moment's trouble: connection exceptions (08), serialization failure and
# deadlock (40001, 40P01), insufficient resources (53), operator intervention such as a restart (57P).
_TRANSIENT_SQLSTATES = ("08", "40001", "40P01", "53", "57P")
# SQLite's busy and locked results (another writer held the database past the busy timeout).
_TRANSIENT_SQLITE = ("SQLITE_BUSY", "SQLITE_LOCKED")


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` says the infrastructure failed for a moment (worth retrying), not the code.

    A lost or refused connection, a timeout, a restarting or locked database: the same message will go
    through later. Anything else (a bug in a step, a broken schema) would fail again on every retry.
    """
    if isinstance(error, OSError | TimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None) or ""
    return (error.connection_invalidated or isinstance(original, OSError | TimeoutError)
            or getattr(original, "sqlite_errorname", None) in _TRANSIENT_SQLITE
            or sqlstate.startswith(_TRANSIENT_SQLSTATES))
