"""Apply and check Alembic migrations programmatically (used by the CLI, ``serve`` and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from core.settings import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    """An Alembic config pointing at the bundled migrations and ``settings.database_url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, revision: str = "heads") -> None:
    """Bring the database up to the newest revision (idempotent)."""
    if settings.is_sqlite:
        _ensure_sqlite_directory(settings.database_url)
    command.upgrade(alembic_config(settings), revision)


def check(settings: Settings) -> None:
    """Raise when the models and the migrations disagree (``alembic check``)."""
    command.check(alembic_config(settings))


def _ensure_sqlite_directory(url: str) -> None:
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
