"""Long-running parts that start with the app and stop with it, in this order (reverse at stop).

A component is ``component(services)`` returning an async context manager; it may put what it
offers into ``services.extras`` (e.g. the NLU engine, the inbound flow) for later components and
for request handlers.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from web.dead_letters import dead_letter_failover
from web.figures_component import figures_component
from web.handoff_component import handoff_component
from web.kb.component import knowledge_base_component
from web.rate_limits import shopper_rate_limiter
from web.services import AppServices

Component = Callable[[AppServices], AbstractAsyncContextManager[None]]

COMPONENTS: list[Component] = [
    shopper_rate_limiter,
    knowledge_base_component,
    handoff_component,
    dead_letter_failover,
    figures_component,
]
