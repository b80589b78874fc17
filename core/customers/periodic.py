"""The periodic full figures refresh: ranks every customer again and stores new RFM breakpoints.

Pushes score only their own customer against the stored breakpoints (see :mod:`core.customers.rfm`),
so the other customers' segments, and the breakpoints, drift as orders come in; this reconciles
them every ``FIGURES_REFRESH_INTERVAL_S``. Every server process schedules it; a PostgreSQL advisory
lock lets one of them do it while the others skip that round.

Pushes do not wait for it: a push that commits between the refresh's read of the orders and its
write can have its customer's fresh figures overwritten with the ones from before the push, until
that customer's next push or the next refresh (two pushes that each refreshed everyone could do the
same before). Making every push wait for a refresh of a second or more is what this design avoids.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.customers.figures import refresh_figures
from core.database import try_serialize
from core.settings import Settings

logger = logging.getLogger(__name__)

FIGURES_REFRESH_LOCK = "customer-figures-refresh"


async def refresh_all_figures(factory: async_sessionmaker[AsyncSession], settings: Settings) -> bool:
    """One full refresh in its own transaction; False when another process is running one.

    The lock is held until the transaction commits, so a process that comes along meanwhile skips
    rather than repeat the same work right after.
    """
    async with factory() as session, session.begin():
        if not await try_serialize(session, FIGURES_REFRESH_LOCK):
            logger.debug("figures refresh skipped: another process is running one")
            return False
        changed = await refresh_figures(session, settings)
    logger.info("figures refreshed: %d figures changed", changed)
    return True


async def run_forever(factory: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """Refresh every ``settings.figures_refresh_interval_s`` seconds until cancelled.

    It waits first: imports and the demo seeding refresh on their own, and processes started
    together should not all rank everyone at start. A failed round is logged and tried again
    at the next interval.
    """
    while True:
        await asyncio.sleep(settings.figures_refresh_interval_s)
        try:
            await refresh_all_figures(factory, settings)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("figures refresh failed; retrying next interval")
