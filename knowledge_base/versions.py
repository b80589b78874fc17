"""Version history: a snapshot after every save, with a readable diff against the previous one."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFoundError
from knowledge_base.models import Article, ArticleVersion
from knowledge_base.schema import article_to_data


@dataclass(frozen=True)
class Author:
    """Who made a change: a staff member (id and name) or the system (an import, the demo seeder)."""

    id: int | None = None
    name: str = "system"


def snapshot_lines(snapshot: dict) -> list[str]:
    """An article snapshot as lines an editor can read in a diff."""
    lines = [f"title: {snapshot['title']}", f"status: {snapshot['status']}",
             f"tags: {', '.join(snapshot.get('tags', []))}"]
    for language, variant in sorted(snapshot.get("variants", {}).items()):
        if variant.get("title"):
            lines.append(f"[{language}] title: {variant['title']}")
        lines.append(f"[{language}] answer:")
        lines.extend(f"  {line}" for line in variant["answer"].splitlines())
        lines.append(f"[{language}] questions:")
        lines.extend(f"  - {question}" for question in variant["questions"])
    return lines


def diff_snapshots(before: dict | None, after: dict) -> str:
    """A unified diff of two snapshots (everything added when there is no previous one)."""
    return "\n".join(difflib.unified_diff(
        snapshot_lines(before) if before else [], snapshot_lines(after),
        fromfile="previous", tofile="this version", lineterm="", n=2,
    ))


async def latest_version(session: AsyncSession, *, article_id: int) -> ArticleVersion | None:
    """The newest saved version of an article."""
    return await session.scalar(
        select(ArticleVersion).where(ArticleVersion.article_id == article_id)
        .order_by(ArticleVersion.number.desc()).limit(1)
    )


async def record_version(
    session: AsyncSession, article: Article, *, action: str, author: Author, first: bool = False
) -> ArticleVersion:
    """Snapshot ``article`` as it is now (after flush) as version ``article.version``.

    Args:
        first: The article is new: there is no earlier version to diff against (saves a query).
    """
    snapshot = article_to_data(article).to_dict()
    previous = None if first else await latest_version(session, article_id=article.id)
    version = ArticleVersion(
        article_id=article.id, number=article.version, action=action, snapshot=snapshot,
        diff=diff_snapshots(previous.snapshot if previous else None, snapshot),
        author_id=author.id, author_name=author.name,
    )
    session.add(version)
    await session.flush()
    return version


async def get_versions(session: AsyncSession, *, article_id: int) -> list[ArticleVersion]:
    """Every version of an article, newest first."""
    return list((await session.scalars(
        select(ArticleVersion).where(ArticleVersion.article_id == article_id).order_by(ArticleVersion.number.desc())
    )).all())


async def get_version(session: AsyncSession, *, article_id: int, number: int) -> ArticleVersion:
    """One version of an article.

    Raises:
        NotFoundError: the article has no such version.
    """
    version = await session.scalar(
        select(ArticleVersion).where(ArticleVersion.article_id == article_id, ArticleVersion.number == number)
    )
    if version is None:
        raise NotFoundError(f"the article has no version {number}")
    return version
