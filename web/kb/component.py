"""The knowledge-base component: builds the NLU engine and the search index at start.

It offers the index as ``services.extras["kb_index"]`` (the answer step, "test a question") and
keeps it in step with every process's changes by listening to :data:`core.events.KB_CHANGED`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core import events
from knowledge_base.index import KnowledgeIndex
from nlu.engine import NLUEngine
from web.services import AppServices

KB_INDEX = "kb_index"


@asynccontextmanager
async def knowledge_base_component(services: AppServices) -> AsyncIterator[None]:
    """Load the published articles into a new engine, follow changes until the app stops."""
    settings = services.settings
    # Loading the sentence encoder takes seconds: keep the event loop free meanwhile.
    engine = await asyncio.to_thread(NLUEngine, embedding_model=settings.embedding_model,
                                     default_language=settings.default_language)
    index = KnowledgeIndex(engine, services.session_factory)
    await index.load()
    services.extras[KB_INDEX] = index
    unsubscribe = services.bus.subscribe(events.KB_CHANGED, index.on_kb_changed)
    try:
        yield
    finally:
        unsubscribe()
        services.extras.pop(KB_INDEX, None)
        engine.close()
