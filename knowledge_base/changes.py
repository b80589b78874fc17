"""Announcing knowledge-base changes to every process (kept apart from the index: no NLU imports)."""

from __future__ import annotations

from core import events
from core.bus import EventBus


async def announce_change(bus: EventBus, article_id: int | None) -> None:
    """Tell every process that an article changed (None: many changed, reload everything).

    Call after the change is committed, so the processes read the new state.
    """
    await bus.publish(events.KB_CHANGED, {"article_id": article_id})
