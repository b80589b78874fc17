"""The figures component: the periodic full refresh of customer figures (RFM segments, VIP)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.customers.periodic import run_forever
from web.background import background_task
from web.services import AppServices

FIGURES_REFRESH_TASK = "relaydesk-figures-refresh"


@asynccontextmanager
async def figures_component(services: AppServices) -> AsyncIterator[None]:
    """Refresh every customer's figures every ``FIGURES_REFRESH_INTERVAL_S`` when workers run (0: never)."""
    settings = services.settings
    if not settings.run_workers or not settings.figures_refresh_interval_s:
        yield
        return
    async with background_task(run_forever(services.session_factory, settings), name=FIGURES_REFRESH_TASK):
        yield
