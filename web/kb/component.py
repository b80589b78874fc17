"""The knowledge-base component: builds the NLU engine and the search index at start.

It offers the index as ``services.extras["kb_index"]`` (the answer step, "test a question") and
keeps it in step with every process's changes by listening to :data:`core.events.KB_CHANGED`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError

from core import events
from knowledge_base.index import KnowledgeIndex
from nlu.engine import NLUEngine
from web.services import AppServices

KB_INDEX = "kb_index"
RETRY_SECONDS = 5.0
logger = logging.getLogger(__name__)


@asynccontextmanager
async def knowledge_base_component(services: AppServices) -> AsyncIterator[None]:
    """Load the published articles into a new engine, follow changes until the app stops.

    When the database is unreachable at start the app still starts (``/ready`` reports it) and the
    index keeps trying to load in the background.
    """
    settings = services.settings
    # Loading the sentence encoder takes seconds: keep the event loop free meanwhile.
    engine = await asyncio.to_thread(NLUEngine, embedding_model=settings.embedding_model,
                                     default_language=settings.default_language)
    index = KnowledgeIndex(engine, services.session_factory)
    retry = None
    try:
        await index.load()
    except (OSError, DBAPIError) as exc:  # the database is down or refuses us: not our data being wrong
        logger.warning("knowledge index not loaded (%s); retrying every %.0fs", exc, RETRY_SECONDS)
        retry = asyncio.create_task(_load_until_it_works(index), name="kb-index-load")
    services.extras[KB_INDEX] = index
    unsubscribe = services.bus.subscribe(events.KB_CHANGED, index.on_kb_changed)
    try:
        yield
    finally:
        unsubscribe()
        index.cancel_pending()
        if retry is not None:
            retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retry
        services.extras.pop(KB_INDEX, None)
        engine.close()


async def _load_until_it_works(index: KnowledgeIndex) -> None:
    while True:
        await asyncio.sleep(RETRY_SECONDS)
        try:
            await index.load()
            return
        except (OSError, DBAPIError) as exc:
            logger.warning("knowledge index still not loaded: %s", exc)
