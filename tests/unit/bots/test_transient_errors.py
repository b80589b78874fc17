"""Which failures of the inbound flow go back to the channel for a retry, and which are rescued."""

import sqlite3
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from core.database import is_transient


def sqlite_error(tmp_path, *, locked: bool) -> sqlite3.OperationalError:
    """A real SQLite error: the database held by another writer, or a table that does not exist."""
    path = str(tmp_path / "shop.db")
    holder = sqlite3.connect(path, timeout=0.05)
    holder.execute("CREATE TABLE t (x)")
    holder.commit()
    other = sqlite3.connect(path, timeout=0.05)
    try:
        if locked:
            holder.execute("BEGIN IMMEDIATE")
            other.execute("BEGIN IMMEDIATE")
        else:
            other.execute("SELECT * FROM missing")
    except sqlite3.OperationalError as error:
        return error
    finally:
        holder.close()
        other.close()
    raise AssertionError("no error")


def test_a_locked_sqlite_database_is_retried_later(tmp_path):
    assert is_transient(OperationalError("INSERT ...", {}, sqlite_error(tmp_path, locked=True)))


def test_a_missing_table_is_no_reason_to_retry(tmp_path):
    assert not is_transient(OperationalError("SELECT ...", {}, sqlite_error(tmp_path, locked=False)))


@pytest.mark.parametrize(("sqlstate", "transient"), [
    pytest.param("57P01", True, id="admin-shutdown"),
    pytest.param("08006", True, id="connection-failure"),
    pytest.param("40P01", True, id="deadlock"),
    pytest.param("53300", True, id="too-many-connections"),
    pytest.param("42P01", False, id="undefined-table"),
    pytest.param("22021", False, id="bad-encoding"),
])
def test_postgresql_errors_by_sqlstate(sqlstate, transient):
    # asyncpg's errors reach SQLAlchemy with their SQLSTATE as ``sqlstate``.
    original = SimpleNamespace(sqlstate=sqlstate)
    assert is_transient(ProgrammingError("SELECT ...", {}, original)) is transient


def test_lost_connections_and_timeouts_are_retried():
    assert is_transient(ConnectionRefusedError())
    assert is_transient(TimeoutError())
    assert is_transient(DBAPIError("SELECT 1", {}, ConnectionResetError(), connection_invalidated=True))


def test_a_bug_in_a_step_is_not():
    assert not is_transient(RuntimeError("a bug"))
    assert not is_transient(KeyError("en"))
