"""Regression: a reply the Bot API accepted while the database was briefly unreachable was not recorded,
so its item stayed claimed and was sent a second time once the lock expired (found by the PostgreSQL
restart fault test, tests/integration/scaleout/test_restarts.py)."""

import asyncio

from core.bus import MemoryEventBus
from core.models import OutboxItem
from tests.integration.bots.test_outbox import ScriptedMessenger, queue, rows, run_worker
from tests.support.channels import eventually

OUTAGE_SECONDS = 0.5


class FlakyDatabase:
    """A session factory that refuses connections while ``down``, as a restarting PostgreSQL does."""

    def __init__(self, factory) -> None:
        self.factory = factory
        self.down = False

    def __call__(self):
        if self.down:
            raise ConnectionRefusedError("the database is restarting")
        return self.factory()


class OutageAfterSend(ScriptedMessenger):
    """Takes the database down for a moment right after each successful send, before it is recorded."""

    def __init__(self, database: FlakyDatabase) -> None:
        super().__init__()
        self.database = database

    async def send(self, chat_id, payload):
        result = await super().send(chat_id, payload)
        self.database.down = True
        asyncio.get_running_loop().call_later(OUTAGE_SECONDS, setattr, self.database, "down", False)
        return result


async def test_a_sent_item_is_recorded_once_the_database_is_back_and_not_sent_again(settings, session_factory):
    await queue(session_factory, "A", ["first", "second"])
    database = FlakyDatabase(session_factory)
    messenger = OutageAfterSend(database)
    worker = await run_worker(database, MemoryEventBus(), messenger, settings)
    try:
        # Well before the 5 s lock expires: the worker recorded the send itself once the database was back.
        await eventually(lambda: _all_sent(session_factory), within=3)
    finally:
        await worker.stop()
    assert [text for _, text, _ in messenger.attempts] == ["first", "second"]


async def _all_sent(session_factory) -> bool:
    return {item.status for item in await rows(session_factory, OutboxItem)} == {"sent"}
