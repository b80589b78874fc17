"""Runs ``relaydesk serve`` as a child process on a free port, as an operator would."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from tests.support.cli import REPO_ROOT


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    """A running server: its base URL and process handle."""

    url: str
    process: subprocess.Popen

    def output(self) -> str:
        """Everything the server printed so far (after it stopped)."""
        out, _ = self.process.communicate(timeout=30)
        return out


@contextlib.contextmanager
def serve(env: dict[str, str], *args: str, timeout: float = 60) -> Iterator[ServerProcess]:
    """Start ``relaydesk serve ARGS`` with ``env`` and wait for ``/health``; stop it with SIGTERM."""
    port = free_port()
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("RELAYDESK_")}
    child_env.update({"PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1", **env})
    process = subprocess.Popen(
        [sys.executable, "-c", "from web.cli import main; main()", "serve", "--port", str(port), *args],
        env=child_env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    server = ServerProcess(f"http://127.0.0.1:{port}", process)
    try:
        _wait_healthy(server, timeout)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_healthy(server: ServerProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}:\n{server.output()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    server.process.kill()
    raise RuntimeError(f"server did not become healthy in {timeout}s:\n{server.output()}")
