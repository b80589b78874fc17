"""Fixtures shared by the integration tests of several packages."""

import pytest

from core.database import create_engine, create_session_factory
from tests.support.telegram_double import TelegramDouble
from tests.support.viber_double import ViberDouble


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


@pytest.fixture
def telegram():
    """A running Telegram Bot API double."""
    with TelegramDouble() as double:
        yield double


@pytest.fixture
def viber():
    """A running Viber REST API double."""
    with ViberDouble() as double:
        yield double
