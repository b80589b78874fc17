"""App component: notifications fail over to the customer's next channel when the outbox gives up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core import events
from core.customers.failover import NotificationFailover
from web.services import AppServices


@asynccontextmanager
async def notification_failover(services: AppServices) -> AsyncIterator[None]:
    """Listen for dead-lettered outbox messages while the app runs."""
    listener = NotificationFailover(services.settings, services.session_factory, services.bus)
    unsubscribe = services.bus.subscribe(events.OUTBOX_DEAD, listener.on_outbox_dead)
    try:
        yield
    finally:
        unsubscribe()
