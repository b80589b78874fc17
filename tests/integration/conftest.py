"""Fixtures shared by the integration tests of several packages."""

import pytest

from core.database import create_engine, create_session_factory


@pytest.fixture
async def other_process(settings, backend):
    """A second engine and pool: another server process's view of the same PostgreSQL database.

    Skipped on the embedded SQLite setup, which is one process by design.
    """
    if backend.name != "postgres":
        pytest.skip("several processes share PostgreSQL; the embedded SQLite setup is one process")
    engine = create_engine(settings)
    yield create_session_factory(engine)
    await engine.dispose()
