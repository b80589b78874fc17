"""A PostgreSQL cluster and a Redis server of the test's own, so a test can restart them.

The machine's shared PostgreSQL (5432) and Redis (6379) serve other test runs at the same time and
must never be restarted; fault tests start these instead, each on a free port in a temporary
directory that is removed on exit::

    with private_postgres() as postgres, private_redis() as redis:
        url, redis_url = postgres.url, redis.url
        postgres.stop()        # immediate shutdown: clients see their connections drop
        postgres.start()       # same port, same data
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.server import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"  # initdb and postgres refuse to run as root; the tests do run as root
START_TIMEOUT = 60.0


def _as_postgres(*command: str) -> list[str]:
    """``command`` run as the postgres OS user when we are root (as in CI), else as ourselves."""
    return ["runuser", "-u", PG_USER, "--", *command] if os.geteuid() == 0 else list(command)


@dataclass
class PrivatePostgres:
    """One PostgreSQL cluster in ``directory`` listening on 127.0.0.1:``port`` with trust auth."""

    directory: Path
    port: int

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the cluster's ``postgres`` database."""
        return f"postgresql+asyncpg://{PG_USER}@127.0.0.1:{self.port}/postgres"

    @property
    def data(self) -> Path:
        """The data directory."""
        return self.directory / "data"

    def init(self) -> None:
        """Create the cluster (``initdb``)."""
        subprocess.run(_as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", PG_USER, "--auth=trust",
                                    "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"),
                       check=True, capture_output=True)

    def start(self) -> None:
        """Start the server and wait until it accepts connections.

        ``fsync=off`` only risks data on an operating-system crash, not on a server crash or
        immediate shutdown, which is all these tests cause.
        """
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off -c max_connections=200")
        subprocess.run(_as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"),
                                    "-o", options, "-w", "-t", str(int(START_TIMEOUT)), "start"),
                       check=True, capture_output=True)

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server: ``immediate`` drops every connection at once, as a crash would."""
        subprocess.run(_as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"),
                       check=False, capture_output=True)

    def log(self) -> str:
        """What the server wrote to its log."""
        path = self.directory / "log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started cluster on a free port; stopped and deleted on exit, also after a failure."""
    directory = Path(tempfile.mkdtemp(prefix="relaydesk-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, PG_USER, PG_USER)
    postgres = PrivatePostgres(directory, free_port())
    try:
        postgres.init()
        postgres.start()
        yield postgres
    finally:
        postgres.stop()
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class PrivateRedis:
    """One ``redis-server`` on 127.0.0.1:``port`` that keeps nothing on disk."""

    directory: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The Redis URL (database 0)."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server (empty: nothing is saved between runs) and wait until it answers PING."""
        with open(self.directory / "log", "ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.directory)],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while not self._answers_ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {(self.directory / 'log').read_text()[-2000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGKILL: every client connection drops, and what Redis held is gone, as after a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def _answers_ping(self) -> bool:
        result = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True,
                                check=False)
        return result.stdout.strip() == "PONG"


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A started Redis on a free port; killed and its directory deleted on exit, also after a failure."""
    directory = Path(tempfile.mkdtemp(prefix="relaydesk-redis-"))
    redis = PrivateRedis(directory, free_port())
    try:
        redis.start()
        yield redis
    finally:
        redis.stop()
        shutil.rmtree(directory, ignore_errors=True)
