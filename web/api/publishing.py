"""Publishing a request's bus events after its transaction has committed.

The request's session commits when the handler returns (``web/deps.py``); a background task runs
after the response is sent, so listeners (the console, the delivery worker) always find the rows.
"""

from __future__ import annotations

from litestar.background_tasks import BackgroundTask

from core.bus import EventBus
from handoff.config import HandoffConfig, default_handoff_config
from handoff.state import Outcome
from web.services import AppServices

HANDOFF_CONFIG = "handoff_config"


async def _publish_all(bus: EventBus, events: list[tuple[str, dict]]) -> None:
    for topic, event in events:
        await bus.publish_or_log(topic, event)


def after_commit(services: AppServices, outcome: Outcome) -> BackgroundTask | None:
    """A background task publishing ``outcome``'s events, or None when there are none."""
    if not outcome.events:
        return None
    return BackgroundTask(_publish_all, services.bus, list(outcome.events))


def handoff_config(services: AppServices) -> HandoffConfig:
    """The app's hand-off settings (put in ``extras`` by the SLA component), else the environment's."""
    return services.extras.get(HANDOFF_CONFIG) or default_handoff_config()
