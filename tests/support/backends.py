"""Which database and bus the suite runs on, and throw-away databases for it.

``RELAYDESK_TEST_BACKEND=sqlite`` (default) runs on a temporary SQLite file and the in-process bus;
``RELAYDESK_TEST_BACKEND=postgres`` runs on a fresh PostgreSQL database and Redis. A backend that
cannot be reached fails the run: it is never silently skipped.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

POSTGRES_ADMIN_URL = os.environ.get(
    "RELAYDESK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("RELAYDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class Backend:
    """A database URL (already migrated) and an optional Redis URL for one test session."""

    name: str
    database_url: str
    redis_url: str | None

    @property
    def is_postgres(self) -> bool:
        """Whether this run talks to PostgreSQL and Redis."""
        return self.name == "postgres"


def backend_name() -> str:
    """The backend chosen by ``RELAYDESK_TEST_BACKEND``."""
    name = os.environ.get("RELAYDESK_TEST_BACKEND", "sqlite")
    if name not in ("sqlite", "postgres"):
        raise RuntimeError(f"RELAYDESK_TEST_BACKEND must be sqlite or postgres, not {name!r}")
    return name


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def create_postgres_database() -> str:
    """Create an empty uniquely named database and return its SQLAlchemy URL."""
    name = f"relaydesk_test_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_ADMIN_URL))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(url: str) -> None:
    """Drop a database made by :func:`create_postgres_database`, closing leftover connections."""
    name = make_url(url).database
    connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_ADMIN_URL))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def sqlite_url(directory: Path) -> str:
    """A SQLite URL for a new file in ``directory``."""
    return f"sqlite+aiosqlite:///{directory / 'relaydesk-test.db'}"
