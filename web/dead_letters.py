"""App component: what the outbox gives up on goes another way, when there is one.

A notification fails over to the customer's next channel (:mod:`core.customers.failover`); an agent's
reply refused by a messenger the shopper blocked goes to their other messenger (:mod:`handoff.reroute`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core import events
from core.customers.failover import NotificationFailover
from handoff.reroute import ReplyReroute
from web.services import AppServices


@asynccontextmanager
async def dead_letter_failover(services: AppServices) -> AsyncIterator[None]:
    """Listen for dead-lettered outbox messages while the app runs."""
    listeners = (NotificationFailover(services.settings, services.session_factory, services.bus),
                 ReplyReroute(services.session_factory, services.bus))
    unsubscribers = [services.bus.subscribe(events.OUTBOX_DEAD, listener.on_outbox_dead) for listener in listeners]
    try:
        yield
    finally:
        for unsubscribe in unsubscribers:
            unsubscribe()
