"""Announcing knowledge-base changes to every process (kept apart from the index: no NLU imports)."""

from __future__ import annotations

import logging

from core import events
from core.bus import EventBus, unreachable

logger = logging.getLogger(__name__)


async def announce_change(bus: EventBus, article_id: int | None) -> None:
    """Tell every process that an article changed (None: many changed, reload everything).

    Call after the change is committed, so the processes read the new state. A bus that is down is
    logged, not raised: the change is saved, and every process finds it at its next revision check
    (``KB_SYNC_INTERVAL_S``), so the editor must not see the save fail.
    """
    try:
        await bus.publish(events.KB_CHANGED, {"article_id": article_id})
    except Exception as exc:
        logger.warning("could not announce the knowledge-base change on the bus (%s); other processes pick it "
                       "up at their next check", exc, exc_info=not unreachable(exc))
