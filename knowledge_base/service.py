"""Articles: the CRUD verbs, publishing, restoring a version and stale-translation detection.

Every save bumps ``Article.version``, records an :class:`~knowledge_base.models.ArticleVersion` and
bumps the knowledge base's revision (:mod:`knowledge_base.revision`). Callers commit; nothing here
commits. Callers also announce changes on the bus after their commit (:data:`core.events.KB_CHANGED`),
so other processes read committed data.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from core.database import utcnow
from core.errors import ConflictError, NotFoundError, ValidationFailed
from knowledge_base.models import Article, ArticleVariant
from knowledge_base.revision import bump_revision
from knowledge_base.schema import ArticleData, article_to_data, parse_article
from knowledge_base.versions import Author, get_version, record_version


class ArticleChanged(ConflictError):
    """Someone saved the article since the version the editor started from; nothing was written.

    Apart from the other conflicts (a taken slug), so the API can answer it with the version saved meanwhile.
    """


async def get(session: AsyncSession, *, article_id: int) -> Article:
    """The article with this numeric id.

    Raises:
        NotFoundError: no such article.
    """
    article = await session.get(Article, article_id)
    if article is None:
        raise NotFoundError(f"no article with id {article_id}")
    return article


async def get_by_slug(session: AsyncSession, *, slug: str) -> Article:
    """The article with this slug.

    Raises:
        NotFoundError: no such article.
    """
    article = await session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFoundError(f"no article with slug {slug!r}")
    return article


async def get_by_reference(session: AsyncSession, *, reference: str) -> Article:
    """The article named by a slug or a numeric id (as in ``/api/articles/{id}``)."""
    if reference.isdigit():
        return await get(session, article_id=int(reference))
    return await get_by_slug(session, slug=reference)


async def get_all(
    session: AsyncSession, *, status: str | None = None, query: str | None = None, slugs: Sequence[str] | None = None
) -> list[Article]:
    """Articles by title, optionally filtered by status, a set of slugs, or a text in the slug, the title or
    the title of any language variant (any letter case)."""
    statement = select(Article).order_by(Article.title, Article.id)
    if status:
        statement = statement.where(Article.status == status)
    if slugs is not None:
        statement = statement.where(Article.slug.in_(list(slugs)))
    articles = list((await session.scalars(statement)).all())
    if query:
        # Matched in Python, not with SQL LIKE: SQLite's lower() and LIKE fold only ASCII letters, so
        # "вартість" would miss "Вартість доставки" there. The variants come with every article anyway
        # (selectin), and a knowledge base is hundreds of articles, not millions.
        text = query.strip().casefold()
        articles = [article for article in articles if any(text in name.casefold() for name in _titles(article))]
    return articles


async def create(session: AsyncSession, *, data: ArticleData, author: Author, action: str = "create") -> Article:
    """Store a new article and its first version.

    Raises:
        ConflictError: the slug is taken.
    """
    if await session.scalar(select(Article.id).where(Article.slug == data.slug)):
        raise ConflictError(f"an article with slug {data.slug!r} exists")
    await bump_revision(session)
    now = utcnow()
    article = Article(slug=data.slug, title=data.title, status=data.status, tags=list(data.tags),
                      source_language=data.source_language, author_id=author.id, created_at=now, updated_at=now,
                      published_at=now if data.status == "published" else None, variants=[])
    _apply_variants(article, data, now)
    session.add(article)
    await session.flush()
    await record_version(session, article, action=action, author=author, first=True)
    return article


async def update(
    session: AsyncSession, *, article: Article, data: ArticleData, author: Author, expected_version: int | None,
    action: str = "update",
) -> Article:
    """Replace an article's content with ``data`` and record the new version.

    A save that changes nothing records no version (an editor pressing Save twice, an import of the
    same file). A change of status alone is recorded as "publish" or "unpublish".

    Args:
        expected_version: The version the editor started from; None skips the check (imports).
        action: What the version history calls this save; "restore" also counts every restored
            translation as written against the restored source (see :func:`restore`).

    Raises:
        ArticleChanged: the article changed since ``expected_version``.
        ConflictError: the new slug is taken.
    """
    check_version(article, expected_version)
    if data == article_to_data(article):
        return article
    if data.slug != article.slug and await session.scalar(select(Article.id).where(Article.slug == data.slug)):
        raise ConflictError(f"an article with slug {data.slug!r} exists")
    if action == "update" and data.status != article.status:
        action = "publish" if data.status == "published" else "unpublish"
    await bump_revision(session)
    now = utcnow()
    article.slug, article.title, article.tags = data.slug, data.title, list(data.tags)
    article.source_language = data.source_language
    if data.status == "published" and article.status != "published":
        article.published_at = now
    article.status = data.status
    article.updated_at = now  # also makes the row dirty, so the version advances on every save
    _apply_variants(article, data, now, as_a_whole=action == "restore")
    await _flush(session)
    await record_version(session, article, action=action, author=author)
    return article


def merge_patch(article: Article, patch: dict) -> ArticleData:
    """Apply a partial change (PATCH body) to the article's data and validate the result.

    Variants merge per language; a language set to null removes that variant.

    Raises:
        ValidationFailed: the merged article is not valid.
    """
    merged = article_to_data(article).to_dict()
    for key in ("slug", "title", "status", "tags", "source_language"):
        if key in patch:
            merged[key] = patch[key]
    variants = patch.get("variants")
    if variants is not None:
        if not isinstance(variants, dict):
            raise ValidationFailed("variants must be an object keyed by language",
                                   [{"field": "variants", "error": "variants must be an object keyed by language"}])
        for language, body in variants.items():
            if body is None:
                merged["variants"].pop(language, None)
            else:
                merged["variants"][language] = body
    return parse_article(merged, default_source_language=article.source_language)


async def publish(
    session: AsyncSession, *, article: Article, author: Author, expected_version: int | None = None
) -> Article:
    """Make the article live; it must be valid as a published article.

    Args:
        expected_version: The version the editor was looking at; None skips the check.

    Raises:
        ArticleChanged: the article changed since ``expected_version`` (also when someone published
            it meanwhile: what went live may not be what the editor saw).
        ValidationFailed: e.g. a variant without example questions.
    """
    check_version(article, expected_version)
    if article.status == "published":
        return article
    data = parse_article({**article_to_data(article).to_dict(), "status": "published"})
    return await update(session, article=article, data=data, author=author, expected_version=expected_version,
                        action="publish")


async def delete(session: AsyncSession, *, article: Article) -> None:
    """Remove an article with its versions."""
    await bump_revision(session)
    await session.delete(article)
    await session.flush()


async def restore(
    session: AsyncSession, *, article: Article, number: int, author: Author, expected_version: int | None = None
) -> Article:
    """Bring back the content (title, tags, variants) of version ``number`` as a new version.

    The status stays as it is: restoring old wording does not unpublish or publish the article.
    The version comes back as a whole, so its translations count as matching its source: restoring
    the wording from before a source edit clears the "translation out of date" flags that edit raised.

    Raises:
        ArticleChanged: the article changed since ``expected_version``.
        NotFoundError: no such version.
        ValidationFailed: the old content is not valid for the current status (e.g. published
            without questions).
    """
    version = await get_version(session, article_id=article.id, number=number)
    data = parse_article({**version.snapshot, "status": article.status, "slug": article.slug})
    return await update(session, article=article, data=data, author=author, expected_version=expected_version,
                        action="restore")


def stale_languages(article: Article) -> list[str]:
    """Languages whose variant was written against an older source-language variant."""
    source = article.variant(article.source_language)
    if source is None:
        return []
    return sorted(v.language for v in article.variants
                  if v.language != source.language and v.source_updated_at < source.content_updated_at)


def check_version(article: Article, expected_version: int | None) -> None:
    """Refuse to save over changes the editor has not seen.

    Raises:
        ArticleChanged: ``expected_version`` is given and is not the article's current version.
    """
    if expected_version is not None and expected_version != article.version:
        raise ArticleChanged(
            f"the article changed: you edited version {expected_version}, it is now version {article.version}; "
            "reload it and apply your changes again"
        )


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except StaleDataError as exc:  # another save committed between our read and our write
        raise ArticleChanged("the article changed while you were saving; reload it and apply your changes again") \
            from exc


def _apply_variants(article: Article, data: ArticleData, now, *, as_a_whole: bool = False) -> None:
    """Sync the variants with ``data``, keeping the times that drive stale-translation flags.

    ``as_a_whole``: every translation in ``data`` counts as written against its source (a restore).
    """
    current = {v.language: v for v in article.variants}
    for language in set(current) - set(data.variants):
        article.variants.remove(current.pop(language))
    # The source first, so a translation saved together with it counts as written against it.
    order = sorted(data.variants, key=lambda language: language != data.source_language)
    source_time = None
    for language in order:
        wanted = data.variants[language]
        variant = current.get(language)
        if variant is None:
            variant = ArticleVariant(language=language, answer=wanted.answer, questions=list(wanted.questions),
                                     title=wanted.title, content_updated_at=now, source_updated_at=now)
            article.variants.append(variant)
        elif (variant.answer, list(variant.questions or []), variant.title) != (
                wanted.answer, list(wanted.questions), wanted.title):
            variant.answer, variant.questions, variant.title = wanted.answer, list(wanted.questions), wanted.title
            variant.content_updated_at = now
            if source_time is not None:
                variant.source_updated_at = source_time
        elif as_a_whole and source_time is not None:
            variant.source_updated_at = source_time
        if language == data.source_language:
            variant.source_updated_at = variant.content_updated_at
            source_time = variant.content_updated_at


def _titles(article: Article) -> list[str]:
    """What a search looks in: the slug, the title and the variants' own titles."""
    return [article.slug, article.title, *(variant.title for variant in article.variants if variant.title)]
