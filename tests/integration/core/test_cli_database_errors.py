"""CLI commands against a database that is not ready end in one line, never a SQLAlchemy traceback."""

import asyncio
import json

import pytest

from tests.support.backends import create_postgres_database, drop_postgres_database
from tests.support.cli import run_cli

ARTICLE = {"slug": "delivery", "title": "Delivery", "status": "published", "tags": [],
           "variants": {"en": {"answer": "Two days.", "questions": ["How long is delivery?"]}}}
CUSTOMER = {"external_id": "c1", "name": "Ann", "phones": [], "emails": [], "tags": [], "orders": []}


@pytest.fixture
def unmigrated_url(backend, tmp_path):
    """An empty database of the session's backend, with no migrations applied."""
    if not backend.is_postgres:
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    url = asyncio.run(create_postgres_database())
    yield url
    asyncio.run(drop_postgres_database(url))


@pytest.mark.parametrize("command", [
    pytest.param(("users", "create", "--email", "a@shop.ua", "--password", "password-123", "--role", "admin"),
                 id="users-create"),
    pytest.param(("kb", "import", "{dir}/kb.json"), id="kb-import"),
    pytest.param(("customers", "import", "{dir}/customers.json"), id="customers-import"),
    pytest.param(("teams", "list"), id="teams-list"),
])
def test_commands_on_an_unmigrated_database_say_to_upgrade(unmigrated_url, tmp_path, command) -> None:
    (tmp_path / "kb.json").write_text(json.dumps([ARTICLE]), encoding="utf-8")
    (tmp_path / "customers.json").write_text(json.dumps([CUSTOMER]), encoding="utf-8")
    args = [arg.format(dir=tmp_path) for arg in command]
    result = run_cli(*args, env={"RELAYDESK_DATABASE_URL": unmigrated_url}, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1:] == [
        "relaydesk: the database has no tables yet; run relaydesk db upgrade"], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("url", "reason", "needs_server"), [
    pytest.param("postgresql+asyncpg://postgres:s3cret@127.0.0.1:5432/relaydesk_no_such_db",
                 'database "relaydesk_no_such_db" does not exist', True, id="no-database"),
    pytest.param("postgresql+asyncpg://postgres:s3cret@127.0.0.1:1/relaydesk", "Connect call failed", False,
                 id="port-unreachable"),
])
def test_db_upgrade_that_cannot_connect_names_the_url_without_the_password(backend, tmp_path, url, reason,
                                                                          needs_server) -> None:
    if needs_server and not backend.is_postgres:
        pytest.skip("needs the PostgreSQL server of the postgres backend")
    result = run_cli("db", "upgrade", env={"RELAYDESK_DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    shown = url.replace(":s3cret@", ":***@")
    assert line.startswith(f"relaydesk: cannot connect to the database at {shown}: ") and reason in line, line
    assert "s3cret" not in result.stderr
