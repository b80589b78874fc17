"""The hand-off component: offers the hand-off settings to handlers and runs the SLA worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from handoff.config import load_handoff_config
from handoff.worker import run_forever
from web.api.publishing import HANDOFF_CONFIG
from web.background import background_task
from web.services import AppServices


@asynccontextmanager
async def handoff_component(services: AppServices) -> AsyncIterator[None]:
    """Put the settings in ``extras["handoff_config"]``; run the SLA worker when workers are on."""
    config = load_handoff_config()
    services.extras[HANDOFF_CONFIG] = config
    if not services.settings.run_workers:
        yield
        return
    async with background_task(run_forever(services.session_factory, services.bus, config),
                               name="relaydesk-sla-worker"):
        yield
