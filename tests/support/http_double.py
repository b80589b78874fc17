"""A small aiohttp server on 127.0.0.1 running in its own thread: the base of the API test doubles.

The doubles stand in for outside HTTP APIs (Telegram Bot API, Viber REST API). Running each one on
a private event loop in a thread makes it usable from any test: async tests on pytest's loop, the
litestar test client's loop, and child processes (``relaydesk serve`` pointed at ``double.url``).

Every request is recorded as an :class:`ApiCall`. Tests script failures per method with
:meth:`HttpDouble.script` (answered in order, one per call) or for every call with
:attr:`HttpDouble.fault`, and can make the server hang (accept, never answer) with :meth:`hang`.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class ApiCall:
    """One request the double received: the API method, its decoded parameters and when it came."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Scripted:
    """A canned answer: HTTP ``status`` with a JSON ``body``; ``hang`` waits until released instead."""

    status: int = 200
    body: dict[str, Any] | None = None
    hang: bool = False


Fault = Callable[[str, dict[str, Any]], Scripted | None]


class HttpDouble:
    """Base class: subclasses add routes in :meth:`routes` and call :meth:`record` / :meth:`scripted`."""

    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self.fault: Fault | None = None  # consulted for every call after the scripted answers
        self._scripts: dict[str, deque[Scripted]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._released: asyncio.Event | None = None
        self._hanging = False
        self._handlers: set[asyncio.Task] = set()
        self.port: int | None = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self, port: int = 0) -> HttpDouble:
        """Serve on 127.0.0.1 (a free port unless ``port`` is given); returns self."""
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._serve(port))
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name=f"{type(self).__name__}", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the test double did not start")
        return self

    def stop(self) -> None:
        """Stop serving (pending hung requests are dropped) and join the thread."""
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> HttpDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL of the running double."""
        return f"http://127.0.0.1:{self.port}"

    async def _serve(self, port: int) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._track])
        self.routes(app)
        self._released = asyncio.Event()
        self._released.set()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    @web.middleware
    async def _track(self, request: web.Request, handler):
        # Remember running handlers so that stopping can end hung requests and long polls at once.
        task = asyncio.current_task()
        self._handlers.add(task)
        try:
            return await handler(request)
        finally:
            self._handlers.discard(task)

    async def _shutdown(self) -> None:
        self._released.set()
        for task in list(self._handlers):
            task.cancel()
        await self._runner.cleanup()

    def routes(self, app: web.Application) -> None:
        """Add the API's routes to ``app``."""
        raise NotImplementedError

    # --- scripting -------------------------------------------------------------------------
    def script(self, method: str, *answers: Scripted) -> None:
        """Answer the next calls of ``method`` with ``answers``, in order, before behaving normally."""
        with self._lock:
            self._scripts[method].extend(answers)

    def hang(self) -> None:
        """From now on accept requests but answer none until :meth:`release` (an API outage)."""
        self._hanging = True
        self._loop.call_soon_threadsafe(self._released.clear)

    def release(self) -> None:
        """Answer hung requests and stop hanging."""
        self._hanging = False
        self._loop.call_soon_threadsafe(self._released.set)

    # --- for subclasses ----------------------------------------------------------------------
    def record(self, method: str, params: dict[str, Any]) -> ApiCall:
        """Remember a call (thread-safe) and return it."""
        call = ApiCall(method, params)
        with self._lock:
            self.calls.append(call)
        return call

    async def scripted(self, method: str, params: dict[str, Any]) -> Scripted | None:
        """The scripted answer for this call, if any; waits while the double hangs."""
        if self._hanging:
            await self._released.wait()
        with self._lock:
            queue = self._scripts.get(method)
            answer = queue.popleft() if queue else None
        if answer is None and self.fault is not None:
            answer = self.fault(method, params)
        if answer is not None and answer.hang:
            await asyncio.Event().wait()  # never answered; the client times out
        return answer

    @staticmethod
    def respond(answer: Scripted) -> web.Response:
        """The HTTP response for a scripted answer."""
        return web.json_response(answer.body or {}, status=answer.status)

    # --- assertions helpers ----------------------------------------------------------------
    def calls_of(self, method: str) -> list[ApiCall]:
        """Every recorded call of ``method``, in arrival order."""
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02) -> None:
        """Block until ``predicate()`` is true (raises ``TimeoutError`` after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {timeout}s; calls: {self.calls[-5:]}")
            time.sleep(interval)

    async def wait_for_async(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        """Like :meth:`wait_for` without blocking the caller's event loop."""
        deadline = time.monotonic() + within
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {within}s; calls: {self.calls[-5:]}")
            await asyncio.sleep(0.02)


async def read_params(request: web.Request) -> dict[str, Any]:
    """Decode a request's parameters from the query, a JSON body or form fields (JSON-typed values)."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        raw = await request.read()
        if raw:
            params.update(json.loads(raw))
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            params[key] = _maybe_json(value) if isinstance(value, str) else value
    return params


def _maybe_json(value: str) -> Any:
    # The Bot API accepts JSON-serialised objects in form fields (reply_markup, allowed_updates).
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
