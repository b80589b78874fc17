"""The knowledge-base component: the NLU engine and the search index of this process.

It offers the index as ``services.extras["kb_index"]`` (the answer step, "test a question") and
keeps it in step with every process's changes: at once by listening to
:data:`core.events.KB_CHANGED`, and surely by checking the knowledge base's revision every
``KB_SYNC_INTERVAL_S`` seconds and whenever the bus subscribes again (events sent meanwhile are lost).

The app starts once the model is loaded and the articles are indexed: a message must never wait
for the index inside the flow's transaction (on SQLite that transaction holds the write lock). Only
when the database is down at start does the index load in the background: the first check that
reaches the database loads it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from core import events
from knowledge_base.index import KnowledgeIndex
from knowledge_base.sync import IndexSync
from nlu.engine import NLUEngine
from web.background import background_task
from web.services import AppServices

KB_INDEX = "kb_index"


@asynccontextmanager
async def knowledge_base_component(services: AppServices) -> AsyncIterator[None]:
    """Build and load the index, then follow knowledge-base changes until the app stops."""
    settings = services.settings
    index = KnowledgeIndex(None, services.session_factory)
    await index.prepare(partial(NLUEngine, embedding_model=settings.embedding_model,
                                default_language=settings.default_language,
                                sensitive_topics=tuple(settings.sensitive_topics)))
    await index.try_load()  # when the database is down, the sync loop loads the index once it is back
    services.extras[KB_INDEX] = index
    sync = IndexSync(index, interval=settings.kb_sync_interval_s)
    unsubscribe = services.bus.subscribe(events.KB_CHANGED, index.on_kb_changed)
    remove_nudge = services.bus.on_subscribed(sync.nudge)
    try:
        async with background_task(sync.run(), name="kb-index-sync"):
            yield
    finally:
        remove_nudge()
        unsubscribe()
        await index.cancel_pending()
        services.extras.pop(KB_INDEX, None)
        index.engine.close()
