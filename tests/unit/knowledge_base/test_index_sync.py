"""The revision-check loop outlives failing checks, checks at once when nudged and stops when cancelled."""

import asyncio
import logging

from sqlalchemy.exc import OperationalError

from knowledge_base.sync import IndexSync
from tests.support.channels import eventually


class FlakyIndex:
    """Stands in for the index: the first ``failures`` checks raise as a database that is down."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.checks = 0

    async def sync(self) -> None:
        self.checks += 1
        if self.checks <= self.failures:
            raise OperationalError("SELECT revision", {}, ConnectionRefusedError("database down"))


async def test_a_failing_check_is_logged_and_the_next_interval_checks_again(caplog) -> None:
    index = FlakyIndex(failures=2)
    loop = asyncio.create_task(IndexSync(index, interval=0.01).run())
    with caplog.at_level(logging.WARNING, logger="knowledge_base.sync"):
        await eventually(lambda: index.checks >= 3, within=5)
    assert not loop.done()
    loop.cancel()
    await asyncio.gather(loop, return_exceptions=True)
    assert loop.cancelled()
    assert sum("knowledge index check failed" in r.getMessage() for r in caplog.records) == 2


async def test_a_nudge_checks_before_the_interval_ends() -> None:
    index = FlakyIndex(failures=0)
    sync = IndexSync(index, interval=3600)
    loop = asyncio.create_task(sync.run())
    try:
        sync.nudge()
        await eventually(lambda: index.checks == 1, within=5)
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
