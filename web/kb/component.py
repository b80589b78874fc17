"""The knowledge-base component: the NLU engine and the search index of this process.

It offers the index as ``services.extras["kb_index"]`` (the answer step, "test a question") and
keeps it in step with every process's changes by listening to :data:`core.events.KB_CHANGED`.
The engine loads in the background: the app serves probes and stores messages at once, and
decisions wait until the index is ready (also when the database is down at start).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from core import events
from knowledge_base.index import KnowledgeIndex
from nlu.engine import NLUEngine
from web.services import AppServices

KB_INDEX = "kb_index"
logger = logging.getLogger(__name__)


@asynccontextmanager
async def knowledge_base_component(services: AppServices) -> AsyncIterator[None]:
    """Start the index in the background and follow knowledge-base changes until the app stops."""
    settings = services.settings
    index = KnowledgeIndex(None, services.session_factory)
    starting = asyncio.create_task(index.start(partial(
        NLUEngine, embedding_model=settings.embedding_model, default_language=settings.default_language,
    )), name="kb-index-start")
    starting.add_done_callback(_report_failure)
    services.extras[KB_INDEX] = index
    unsubscribe = services.bus.subscribe(events.KB_CHANGED, index.on_kb_changed)
    try:
        yield
    finally:
        unsubscribe()
        index.cancel_pending()
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starting
        services.extras.pop(KB_INDEX, None)
        if index.engine is not None:
            index.engine.close()


def _report_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("the knowledge index could not start", exc_info=task.exception())
