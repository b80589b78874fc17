"""Importing and exporting the knowledge base.

An import validates every article first and reports every bad one with its line or file; when any
is bad, nothing changes. Articles are matched by slug, so importing the same file twice changes
nothing the second time (and records no new versions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import ValidationFailed
from knowledge_base import service
from knowledge_base.models import Article
from knowledge_base.schema import ArticleData, article_to_data, fields_not_text, kind_of, parse_article
from knowledge_base.transfer.readers import Row
from knowledge_base.versions import Author

_CHUNK = 500
IMPORT_AUTHOR = Author(name="import")
# PostgreSQL cannot store U+0000 in text; SQLite can, and the check is the same on both.
NUL_ERROR = "must not contain the NUL character (U+0000)"


@dataclass
class ImportReport:
    """Slugs created, updated and left as they were."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the import changed anything."""
        return bool(self.created or self.updated)


def validate_rows(rows: Sequence[Row], *, default_source_language: str = "uk") -> list[ArticleData]:
    """Validate every row; a slug may appear only once.

    Raises:
        ValidationFailed: with one ``{"location", "field", "error"}`` per problem, for every bad row.
    """
    problems: list[dict[str, str]] = []
    bad_rows = 0
    articles: list[ArticleData] = []
    first_seen: dict[str, str] = {}
    for row in rows:
        found = list(row.problems)
        article = None
        if row.read:  # a row that could not be read has only the problem saying why
            article, more = _check(row.raw, default_source_language)
            found += more
        if article is not None:
            if article.slug in first_seen:
                found.append({"field": "slug",
                              "error": f"slug {article.slug!r} appears twice (first at {first_seen[article.slug]})"})
            first_seen.setdefault(article.slug, row.location)
            articles.append(article)
        problems += [{"location": row.location, **p} for p in found]
        bad_rows += bool(found)
    if problems:
        raise ValidationFailed(f"{bad_rows} bad article(s), nothing was imported", problems)
    return articles


def _check(raw: Any, default_source_language: str) -> tuple[ArticleData | None, list[dict[str, str]]]:
    """The article (None when it is bad) and its problems: those of ``parse_article``, a number or
    date where text belongs, and text the database cannot store."""
    not_text = _not_text(raw) if isinstance(raw, dict) else []
    try:
        article = parse_article(raw, default_source_language=default_source_language)
    except ValidationFailed as exc:
        # "title: 404" is named as a number, not as a missing title.
        named = {problem["field"] for problem in not_text}
        return None, not_text + [problem for problem in exc.details if problem["field"] not in named]
    if not_text:
        return None, not_text
    return article, _nul_problems(article)


def _not_text(raw: dict[str, Any]) -> list[dict[str, str]]:
    """Text fields that YAML (or JSON) gave another type: ``title: 404``, ``title: 2024-01-01``.

    Refused rather than turned into text: YAML has already changed some of them (``slug: 007`` is
    the number 7, ``title: 1.10`` is 1.1), so quoting is the only way to keep what was written.
    """
    return [{"field": name, "error": f"{value!s} is read as {kind_of(value)}, not text: put it in quotes"}
            for name, value in fields_not_text(raw).items()]


def _nul_problems(article: ArticleData) -> list[dict[str, str]]:
    """Every field of ``article`` holding U+0000."""
    texts: dict[str, Sequence[str]] = {"slug": [article.slug], "title": [article.title], "tags": article.tags}
    for language, variant in article.variants.items():
        texts |= {f"variants.{language}.answer": [variant.answer], f"variants.{language}.questions": variant.questions,
                  f"variants.{language}.title": [variant.title or ""]}
    return [{"field": name, "error": NUL_ERROR} for name, values in texts.items() if any("\x00" in v for v in values)]


async def import_articles(
    session: AsyncSession, articles: Sequence[ArticleData], *, author: Author = IMPORT_AUTHOR,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create or update articles by slug (validated data; see :func:`validate_rows`).

    Args:
        progress: Called with the number of articles just handled (for a progress bar).
    """
    report = ImportReport()
    for start in range(0, len(articles), _CHUNK):
        chunk = articles[start:start + _CHUNK]
        existing = {a.slug: a for a in await service.get_all(session, slugs=[a.slug for a in chunk])}
        for data in chunk:
            article = existing.get(data.slug)
            if article is None:
                await service.create(session, data=data, author=author, action="import")
                report.created.append(data.slug)
            elif article_to_data(article) == data:
                report.unchanged.append(data.slug)
            else:
                await service.update(session, article=article, data=data, author=author, expected_version=None,
                                     action="import")
                report.updated.append(data.slug)
        if progress:
            progress(len(chunk))
    return report


async def export_articles(session: AsyncSession) -> list[ArticleData]:
    """Every article (any status) in exchange shape, by slug."""
    articles = (await session.scalars(select(Article).order_by(Article.slug))).all()
    return [article_to_data(article) for article in articles]
