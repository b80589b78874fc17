"""Fixtures shared by the whole suite: a migrated database on the chosen backend, settings, the app."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import delete, text

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from core.database import Base, create_engine, create_session_factory  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.support.backends import (  # noqa: E402
    REDIS_URL,
    Backend,
    backend_name,
    create_postgres_database,
    drop_postgres_database,
    sqlite_url,
)
from web.migrate import upgrade  # noqa: E402
from web.models_registry import register_all_models  # noqa: E402

register_all_models()


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory):
    """A freshly migrated database (and Redis for the postgres backend) for this test session."""
    name = backend_name()
    if name == "postgres":
        url = asyncio.run(create_postgres_database())
        backend = Backend(name, url, REDIS_URL)
    else:
        backend = Backend(name, sqlite_url(tmp_path_factory.mktemp("db")), None)
    upgrade(Settings(database_url=backend.database_url))
    yield backend
    if name == "postgres":
        asyncio.run(drop_postgres_database(backend.database_url))


def make_settings(backend: Backend, **overrides: object) -> Settings:
    """Settings for a test: the session's database, a Redis prefix of its own, no channel tokens."""
    values: dict = {
        "database_url": backend.database_url,
        "redis_url": backend.redis_url,
        "redis_prefix": f"rdtest-{uuid.uuid4().hex[:8]}",
        "secret_key": "test-secret-key",
        "run_workers": False,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


async def clear_tables(url: str) -> None:
    """Empty every table so each test starts from the migrated, empty schema."""
    engine = create_engine(Settings(database_url=url, _env_file=None))
    try:
        async with engine.begin() as connection:
            tables = list(reversed(Base.metadata.sorted_tables))
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{table.name}"' for table in tables)
                await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    await connection.execute(delete(table))
    finally:
        await engine.dispose()


@pytest.fixture
async def settings(backend: Backend) -> Settings:
    """Settings on an emptied database."""
    await clear_tables(backend.database_url)
    return make_settings(backend)


@pytest.fixture
async def session_factory(settings: Settings):
    """A session factory on the test database."""
    engine = create_engine(settings)
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    """An HTTP client talking to a started app (lifespan run) on the test database."""
    from web.app import create_app

    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client
