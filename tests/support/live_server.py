"""A real uvicorn server for the app on 127.0.0.1 in a background thread (for browsers and WebSockets).

    with LiveServer(settings) as server:
        page.goto(server.url + "/chat")
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from core.settings import Settings


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """``create_app(settings)`` served by uvicorn until the block ends (lifespan included)."""

    def __init__(self, settings: Settings, **app_options: Any) -> None:
        from web.app import create_app

        self.port = free_port()
        config = uvicorn.Config(create_app(settings, **app_options), host="127.0.0.1", port=self.port, log_config=None,
                                lifespan="on", ws="websockets-sansio")
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, name="relaydesk-live-server", daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """``ws://127.0.0.1:<port>``."""
        return f"ws://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the app did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(15)
