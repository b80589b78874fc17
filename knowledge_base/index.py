"""The search index: an NLU engine over the published articles, kept in step with the database.

Each process holds one index. It loads every published article at start (decisions wait until it
has, e.g. while the database is still down) and then follows
:data:`core.events.KB_CHANGED` events (``{"article_id": <id> | None}``; None means "reload all",
sent after bulk imports): one article is re-read and upserted into or removed from the engine,
without rebuilding the rest. Events can be lost (Redis down, an import run where no bus reaches the
servers), so :meth:`KnowledgeIndex.sync` also compares the knowledge base's revision
(:mod:`knowledge_base.revision`) with the one last indexed and catches up when they differ.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_base.models import Article
from knowledge_base.revision import current_revision
from nlu.engine import NLUEngine
from nlu.types import Decision, KnowledgeEntry, PreviousAnswer

logger = logging.getLogger(__name__)
# How long a decision waits for an index that is still starting before the caller gets an error.
READY_TIMEOUT = 120.0


def knowledge_entries(article: Article) -> list[KnowledgeEntry]:
    """The NLU entries of one article, one per language variant."""
    return [
        KnowledgeEntry(article_id=article.slug, language=v.language, title=v.title or article.title,
                       questions=tuple(v.questions or ()), answer=v.answer)
        for v in article.variants
    ]


class KnowledgeIndex:
    """Answers "what would the bot do with this message" from the published articles.

    Args:
        engine: The NLU engine to fill (it owns the model and the thresholds); None when
            :meth:`prepare` builds it.
        session_factory: Where to read articles from.
    """

    def __init__(self, engine: NLUEngine | None, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.engine = engine
        self._factory = session_factory
        self._ready = asyncio.Event()
        self._indexed: dict[int, tuple[str, int]] = {}  # article id -> (slug, version) in the engine
        self._revision: int | None = None  # the knowledge base's revision when it was last compared
        self._lock = asyncio.Lock()  # one rebuild or upsert at a time, in event order
        self._pending: set[asyncio.Task] = set()

    @property
    def indexed_slugs(self) -> list[str]:
        """Slugs of the articles the bot can answer with, sorted."""
        return sorted(slug for slug, _ in self._indexed.values())

    async def load(self) -> None:
        """Index every published article from scratch (start, and after bulk imports)."""
        async with self._lock:
            await self._load_locked()

    async def _load_locked(self) -> None:
        async with self._factory() as session:
            # The revision first: articles read after it are at least that new, and a save committed in
            # between shows as a newer revision at the next sync.
            revision = await current_revision(session)
            articles = (await session.scalars(select(Article).where(Article.status == "published"))).all()
        entries = [entry for article in articles for entry in knowledge_entries(article)]
        await asyncio.to_thread(self.engine.rebuild, entries)
        self._indexed = {a.id: (a.slug, a.version) for a in articles}
        self._revision = revision
        self._ready.set()
        logger.info("knowledge index loaded: %d published articles", len(articles))

    async def prepare(self, make_engine: Callable[[], NLUEngine]) -> None:
        """Build the engine (loads the model: seconds) and warm it up, off the event loop."""
        self.engine = await asyncio.to_thread(make_engine)
        # The first decision loads the language models; pay that now rather than on a shopper's message.
        await asyncio.to_thread(self.engine.decide, "warm up")

    async def try_load(self) -> bool:
        """Load the articles; False (logged) when the database is down or refuses us."""
        try:
            await self.load()
        except (OSError, DBAPIError) as exc:
            logger.warning("knowledge index not loaded: %s", exc)
            return False
        return True

    async def refresh(self, article_id: int | None) -> None:
        """Bring one article (or everything, for None) in line with the database."""
        await self._ready.wait()  # events during start are covered by the first load
        if article_id is None:
            await self.load()
            return
        async with self._lock:
            await self._refresh_locked(article_id)

    async def _refresh_locked(self, article_id: int) -> None:
        async with self._factory() as session:
            article = await session.get(Article, article_id)
        known = self._indexed.get(article_id)
        if article is not None and article.status == "published":
            if known == (article.slug, article.version):
                return  # this process already indexed this version (e.g. it made the change)
            if known and known[0] != article.slug:
                await asyncio.to_thread(self.engine.remove_article, known[0])
            await asyncio.to_thread(self.engine.upsert_article, article.slug, knowledge_entries(article))
            self._indexed[article_id] = (article.slug, article.version)
        elif known:
            await asyncio.to_thread(self.engine.remove_article, known[0])
            del self._indexed[article_id]

    async def sync(self) -> None:
        """Catch up with saves whose events never arrived; cheap when nothing changed.

        Not loaded yet (the database was down at start): load. Otherwise read the knowledge base's
        revision (one row); when it differs from the one last compared, find the published articles
        whose slug or version differ from the indexed ones. Events have usually brought them already
        (nothing to do), one is upserted as its event would have been, more are reloaded from
        scratch as after a bulk import (the thresholds are recalibrated on the new set).
        """
        if not self._ready.is_set():
            await self.load()
            return
        async with self._lock:
            async with self._factory() as session:
                revision = await current_revision(session)
                if revision == self._revision:
                    return
                published = (await session.execute(select(Article.id, Article.slug, Article.version)
                                                   .where(Article.status == "published"))).all()
            current = {article_id: (slug, version) for article_id, slug, version in published}
            missed = {article_id for article_id in current.keys() | self._indexed.keys()
                      if current.get(article_id) != self._indexed.get(article_id)}
            if len(missed) > 1:
                logger.info("knowledge index missed %d changes; reloading", len(missed))
                await self._load_locked()
                return
            if missed:
                logger.info("knowledge index missed a change of article %d; updating it", *missed)
                await self._refresh_locked(missed.pop())
            self._revision = revision

    async def on_kb_changed(self, _topic: str, event: dict) -> None:
        """Bus listener for :data:`core.events.KB_CHANGED`.

        The refresh runs as its own task: a full reload takes a while, and the bus must keep
        delivering other events (console updates, outbox wake-ups) meanwhile.
        """
        article_id = event.get("article_id")
        task = asyncio.create_task(self.refresh(int(article_id) if article_id is not None else None),
                                   name="kb-index-refresh")
        self._pending.add(task)
        task.add_done_callback(self._finished)

    async def settled(self) -> None:
        """Wait for the refreshes started by bus events so far."""
        while self._pending:
            await asyncio.wait(set(self._pending))

    async def cancel_pending(self) -> None:
        """Stop refreshes still running (the app is stopping) and wait until they have finished.

        Waiting matters: a cancelled refresh still closes its database session, and if that
        happened after the app disposed of the engine it would wait forever on a closed connection
        (seen as a test run hanging in the app's shutdown).
        """
        tasks = list(self._pending)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _finished(self, task: asyncio.Task) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("knowledge index refresh failed", exc_info=task.exception())

    async def decide(
        self, text: str, *, language_hint: str | None = None, previous_language: str | None = None,
        recent_failures: int = 0, previous_answer: PreviousAnswer | None = None,
    ) -> Decision:
        """The NLU decision for one message, computed off the event loop (arguments: :meth:`NLUEngine.decide`).

        Raises:
            TimeoutError: the index has not loaded after :data:`READY_TIMEOUT` seconds.
        """
        await asyncio.wait_for(self._ready.wait(), READY_TIMEOUT)
        return await self.engine.adecide(text, language_hint=language_hint, previous_language=previous_language,
                                         recent_failures=recent_failures, previous_answer=previous_answer)
