"""The bus listener that moves a notification to the customer's next channel when delivery gives up."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.bus import EventBus
from core.customers.notifications import fail_over
from core.database import transaction
from core.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class NotificationFailover:
    """Subscribe :meth:`on_outbox_dead` to ``core.events.OUTBOX_DEAD``."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    bus: EventBus

    async def on_outbox_dead(self, _topic: str, event: dict) -> None:
        """Fail the dead message's notification over to the next channel, then wake the delivery workers."""
        message_id = event.get("message_id")
        if not message_id:
            return
        async with transaction(self.session_factory) as session:
            to_publish = await fail_over(session, self.settings, message_id=int(message_id),
                                         error=str(event.get("error") or "undeliverable"))
        for topic, payload in to_publish:
            logger.info("notification failed over from %s to %s", event.get("channel"), payload["channel"])
            await self.bus.publish(topic, payload)
