"""Bot API doubles that hold ``sendMessage`` answers, to see what a client sends while others are in flight.

* :class:`HoldingTelegram` answers each ``sendMessage`` only after ``hold`` seconds and remembers
  the most it had unanswered at once (a client's sends in flight, as the server sees them).
* :class:`FloodTelegram` answers the first ``sendMessage`` (to ``flood_chat`` when given) with
  Telegram's flood-control 429 (``retry_after``) once ``wave`` calls are in (the client's sends in
  flight when it is told to wait), holds the others that came before it until the wait is over (or
  ``others_after`` seconds after the 429), and answers anything later at once: a call that arrives
  between the 429 and the end of the wait is one the client sent into it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.support.http_double import Scripted
from tests.support.telegram_double import TelegramDouble, too_many_requests


class HoldingTelegram(TelegramDouble):
    """The Bot API double, answering each ``sendMessage`` after ``hold`` seconds; see the module docstring."""

    def __init__(self, hold: float = 0.0) -> None:
        super().__init__()
        self.hold = hold
        self.in_flight = 0
        self.max_in_flight = 0
        self._arrived: asyncio.Condition | None = None

    async def scripted(self, method: str, params: dict[str, Any]) -> Scripted | None:
        """Count the ``sendMessage`` in flight around the usual scripted answer and :meth:`held`."""
        if method != "sendMessage":
            return await super().scripted(method, params)
        if self._arrived is None:
            self._arrived = asyncio.Condition()  # on the double's own loop
        async with self._arrived:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._arrived.notify_all()
        try:
            answer = await super().scripted(method, params)
            return await self.held(params, answer)
        finally:
            self.in_flight -= 1  # before the answer is written: never more than the client has in flight

    async def held(self, params: dict[str, Any], answer: Scripted | None) -> Scripted | None:
        """Wait before answering ``answer`` to the ``sendMessage`` with ``params`` (None: the normal answer)."""
        await asyncio.sleep(self.hold)
        return answer

    async def until_in_flight(self, count: int, within: float) -> None:
        """Wait (on the double's loop) until ``count`` sends are in flight, or ``within`` seconds."""
        deadline = time.monotonic() + within
        async with self._arrived:
            while self.in_flight < count and (left := deadline - time.monotonic()) > 0:
                try:
                    await asyncio.wait_for(self._arrived.wait(), left)
                except TimeoutError:
                    break


class FloodTelegram(HoldingTelegram):
    """The Bot API double telling the client to wait ``retry_after`` seconds; see the module docstring."""

    def __init__(self, retry_after: int, wave: int, *, flood_chat: int | None = None,
                 others_after: float | None = None, within: float = 3.0) -> None:
        super().__init__()
        self.retry_after = retry_after
        self.wave = wave
        self.flood_chat = flood_chat
        self.others_after = retry_after if others_after is None else others_after
        self.within = within  # the longest the 429 waits for the wave to come in
        self.flood_answered_at: float | None = None  # time.monotonic(), as ApiCall.at
        self.flooded: dict[str, Any] = {}  # the parameters of the call answered 429
        self._answered: asyncio.Event | None = None
        self._first_taken = False

    @property
    def flood_over_at(self) -> float | None:
        """When the wait the 429 asked for is over (time.monotonic())."""
        return None if self.flood_answered_at is None else self.flood_answered_at + self.retry_after

    async def held(self, params: dict[str, Any], answer: Scripted | None) -> Scripted | None:
        """The 429 for the first call (to ``flood_chat``); the others before it wait for ``others_after``."""
        if self._answered is None:
            self._answered = asyncio.Event()
        if self.flood_answered_at is not None:
            return answer  # after the 429: answered at once, counted by the test
        if not self._first_taken and self.flood_chat in (None, int(params["chat_id"])):
            self._first_taken = True
            self.flooded = params
            await self.until_in_flight(self.wave, self.within)
            self.flood_answered_at = time.monotonic()
            self._answered.set()
            return too_many_requests(self.retry_after)
        await self._answered.wait()
        await asyncio.sleep(max(0.0, self.flood_answered_at + self.others_after - time.monotonic()))
        return answer
