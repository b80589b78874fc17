"""The loop that keeps this process's index on the published knowledge base when bus events are lost.

Events make a change show up at once; this loop makes sure it shows up at all. Every ``interval``
seconds, and at once when nudged (the bus subscribed again after losing its connection), it runs
:meth:`~knowledge_base.index.KnowledgeIndex.sync`: one row read while nothing changed. A check that
fails (the database is down) is logged and tried again at the next interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.exc import DBAPIError

from knowledge_base.index import KnowledgeIndex

logger = logging.getLogger(__name__)


class IndexSync:
    """Runs :meth:`KnowledgeIndex.sync` periodically and on demand, one check at a time.

    Args:
        index: The index to keep in step.
        interval: Seconds between checks.
    """

    def __init__(self, index: KnowledgeIndex, *, interval: float) -> None:
        self._index = index
        self._interval = interval
        self._nudged = asyncio.Event()

    def nudge(self) -> None:
        """Check now rather than at the end of the interval (safe to call from any listener)."""
        self._nudged.set()

    async def run(self) -> None:
        """Check every interval, or sooner when nudged, until cancelled."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._nudged.wait(), self._interval)
            self._nudged.clear()
            await self.check()

    async def check(self) -> None:
        """One check; failures are logged, never raised, so the loop outlives an outage."""
        try:
            await self._index.sync()
        except (OSError, DBAPIError) as exc:
            logger.warning("knowledge index check failed, retrying in %.1fs: %s", self._interval, exc)
        except Exception:
            logger.exception("knowledge index check failed, retrying in %.1fs", self._interval)
