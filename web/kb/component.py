"""The knowledge-base component: the NLU engine and the search index of this process.

It offers the index as ``services.extras["kb_index"]`` (the answer step, "test a question") and
keeps it in step with every process's changes by listening to :data:`core.events.KB_CHANGED`.

The app starts once the model is loaded and the articles are indexed: a message must never wait
for the index inside the flow's transaction (on SQLite that transaction holds the write lock). Only
when the database is down at start does the index load in the background, as soon as it can.
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
    """Build and load the index, then follow knowledge-base changes until the app stops."""
    settings = services.settings
    index = KnowledgeIndex(None, services.session_factory)
    await index.prepare(partial(NLUEngine, embedding_model=settings.embedding_model,
                                default_language=settings.default_language))
    loading = None
    if not await index.try_load():  # the database is down: keep trying in the background
        loading = asyncio.create_task(index.load_when_possible(), name="kb-index-load")
    services.extras[KB_INDEX] = index
    unsubscribe = services.bus.subscribe(events.KB_CHANGED, index.on_kb_changed)
    try:
        yield
    finally:
        unsubscribe()
        await index.cancel_pending()
        if loading is not None:
            loading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loading
        services.extras.pop(KB_INDEX, None)
        index.engine.close()
