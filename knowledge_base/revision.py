"""The knowledge base's revision: one counter that every save bumps inside its own transaction.

Each process compares it with the revision it last indexed (one row read) to learn that it missed a
change, whatever became of the bus event. A counter row rather than ``max(updated_at)`` or a
sequence: deletes leave no row behind, clocks of different processes disagree, and sequence values
are handed out in start order, not commit order. Bumping takes the row's lock until the save
commits, so on PostgreSQL the counter advances in commit order; saves bump it before writing any
article, so two saves always take their locks in the same order and cannot deadlock.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge_base.models import KnowledgeBaseRevision

_ROW = 1  # the one row of kb_revision
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


async def bump_revision(session: AsyncSession) -> None:
    """Advance the revision in the session's transaction (call before writing articles).

    An upsert, not an UPDATE: the migration creates the row, but a database emptied table by table
    (as the tests do between cases) has none, and two first saves must not both try to insert it.
    """
    insert = _INSERTS[session.get_bind().dialect.name]
    statement = insert(KnowledgeBaseRevision).values(id=_ROW, revision=1).on_conflict_do_update(
        index_elements=[KnowledgeBaseRevision.id], set_={"revision": KnowledgeBaseRevision.revision + 1})
    await session.execute(statement)


async def current_revision(session: AsyncSession) -> int:
    """The committed revision (0 before the first save)."""
    revision = await session.scalar(select(KnowledgeBaseRevision.revision).where(KnowledgeBaseRevision.id == _ROW))
    return revision or 0
