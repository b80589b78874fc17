"""``/api/articles``: knowledge-base articles, publishing, version history and per-article figures.

Editors and admins write; every staff role reads. ``{ref}`` is the slug or the numeric id. A PATCH
names the version it edits, and publishing or restoring may name the version it is meant for; when
the article changed meanwhile the answer is 409 and nothing is overwritten. That 409 also carries the
article as it is now and who saved it when, so the editor can put it beside what the editor saw.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery

from core.errors import ConflictError, ValidationFailed, describe
from knowledge_base import service
from knowledge_base.changes import announce_change
from knowledge_base.figures import article_figures
from knowledge_base.models import ARTICLE_STATUSES, Article, ArticleVersion
from knowledge_base.schema import article_to_data, parse_article
from knowledge_base.versions import Author, get_versions, latest_version
from web.api.article_docs import ArticleChangeBody, ArticleCreateBody, VersionGuardBody
from web.auth import EDITORS, STAFF, Principal, requires
from web.deps import DbSession, Services
from web.query_filters import choice, one_of
from web.services import AppServices


def author_of(request: Request) -> Author:
    """The signed-in staff member as the author of a change."""
    principal: Principal = request.user
    return Author(id=principal.user_id, name=principal.name or principal.email)


def article_json(article: Article, *, full: bool = True) -> dict[str, Any]:
    """An article as the API shows it: the exchange shape plus id, version, times and stale flags."""
    stale = service.stale_languages(article)
    body = {**article_to_data(article).to_dict(), "id": article.id, "version": article.version,
            "author_id": article.author_id, "created_at": article.created_at.isoformat(),
            "updated_at": article.updated_at.isoformat(),
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "languages": [v.language for v in article.variants], "stale_languages": stale}
    if full:
        for variant in article.variants:
            body["variants"][variant.language].update(
                updated_at=variant.content_updated_at.isoformat(), stale=variant.language in stale)
    else:
        del body["variants"]
    return body


def version_json(version: ArticleVersion, *, full: bool = True) -> dict[str, Any]:
    """One saved version: who, when, what action, and (``full``) the diff and the full snapshot."""
    body = {"number": version.number, "action": version.action, "author_id": version.author_id,
            "author_name": version.author_name, "created_at": version.created_at.isoformat()}
    if full:
        body.update(diff=version.diff, snapshot=version.snapshot)
    return body


class ChangedMeanwhile(ConflictError):
    """A save refused because the article changed since the editor's version, with what is saved now."""

    def __init__(self, message: str, current: dict[str, Any], current_version: dict[str, Any] | None) -> None:
        super().__init__(message)
        self.current = current
        self.current_version = current_version


def changed_meanwhile(_: Request, exc: ChangedMeanwhile) -> Response:
    """409 like every conflict (``status_code``, ``detail``), plus ``current``: the article as ``GET`` shows it
    now, and ``current_version``: its latest version's number, action and who saved it when."""
    return Response({"status_code": 409, "detail": str(exc), "current": exc.current,
                     "current_version": exc.current_version}, status_code=409)


@asynccontextmanager
async def answering_stale_saves(db_session: DbSession, article_id: int) -> AsyncIterator[None]:
    """Turn a save over changes the editor has not seen into :class:`ChangedMeanwhile` with the article now."""
    try:
        yield
    except service.ArticleChanged as exc:
        # A save that lost the race at flush left the session failed; the newer version is read afresh.
        await db_session.rollback()
        article = await db_session.get(Article, article_id, populate_existing=True)
        if article is None:  # deleted meanwhile: there is nothing to compare with
            raise
        latest = await latest_version(db_session, article_id=article_id)
        raise ChangedMeanwhile(str(exc), article_json(article),
                               version_json(latest, full=False) if latest else None) from exc


async def commit_and_announce(db_session: DbSession, services: AppServices, article_id: int | None) -> None:
    """Commit, update this process's index now, and tell the other processes over the bus."""
    await db_session.commit()
    index = services.extras.get("kb_index")
    if index is not None:
        await index.refresh(article_id)
    await announce_change(services.bus, article_id)


def _expected_version(body: dict) -> int:
    version = body.get("version")
    if version is None:
        raise ValidationFailed("version is required: the version of the article you edited",
                               [{"field": "version", "error": "required, an integer"}])
    # "1" was given, not missing: told so, the client fixes its type (found by QA).
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationFailed("version must be an integer: the version of the article you edited",
                               [{"field": "version", "error": "must be an integer"}])
    return version


def _guard_version(body: dict | None) -> int | None:
    """The optional ``version`` guard of an action (publish, restore); None when the body has none."""
    return _expected_version(body) if body and "version" in body else None


class ArticleController(Controller):
    """Articles of the knowledge base."""

    path = "/api/articles"
    tags = ["knowledge base"]
    exception_handlers = {ChangedMeanwhile: changed_meanwhile}

    @get("/", guards=[requires(*STAFF)])
    async def list_articles(
        self, db_session: DbSession, status: Annotated[str | None, choice(ARTICLE_STATUSES)] = None,
        q: FromQuery[str | None] = None,
    ) -> list[dict]:
        """Articles by title (without their answers), filtered by ``status`` and a text in slug or title."""
        articles = await service.get_all(db_session, status=one_of("status", status, ARTICLE_STATUSES), query=q)
        return [article_json(article, full=False) for article in articles]

    @post("/", guards=[requires(*EDITORS)], errors=(409,))
    async def create_article(
        self, request: Request, data: ArticleCreateBody, db_session: DbSession, services: Services
    ) -> dict:
        """Create a draft article (publish it with ``POST /api/articles/{ref}/publish``).

        400 lists every problem at once: a status other than draft and whatever the article's own
        checks refuse (slug, title, variants).
        """
        problems = []
        if data.get("status", "draft") != "draft":
            problems.append({"field": "status",
                             "error": "must be draft (or omitted); publish with POST /api/articles/{id}/publish"})
        try:
            parsed = parse_article(data, default_source_language=services.settings.default_language)
        except ValidationFailed as exc:
            problems.extend(exc.details)
        if problems:
            raise ValidationFailed(describe(problems), problems)
        article = await service.create(db_session, data=parsed, author=author_of(request))
        await commit_and_announce(db_session, services, article.id)
        return article_json(article)

    @get("/{ref:str}", guards=[requires(*STAFF)])
    async def get_article(self, ref: FromPath[str], db_session: DbSession) -> dict:
        """One article with its variants and stale-translation flags."""
        return article_json(await service.get_by_reference(db_session, reference=ref))

    @patch("/{ref:str}", guards=[requires(*EDITORS)], errors=(409,))
    async def update_article(
        self, request: Request, ref: FromPath[str], data: ArticleChangeBody, db_session: DbSession,
        services: Services,
    ) -> dict:
        """Change an article: ``{"version": <the version you edited>, ...fields}``; 409 if it changed since,
        with the article as it is now (see :func:`changed_meanwhile`)."""
        expected = _expected_version(data)
        article = await service.get_by_reference(db_session, reference=ref)
        async with answering_stale_saves(db_session, article.id):
            service.check_version(article, expected)
            parsed = service.merge_patch(article, data)
            await service.update(db_session, article=article, data=parsed, author=author_of(request),
                                 expected_version=expected)
        await commit_and_announce(db_session, services, article.id)
        return article_json(article)

    @delete("/{ref:str}", guards=[requires(*EDITORS)])
    async def delete_article(self, ref: FromPath[str], db_session: DbSession, services: Services) -> None:
        """Delete an article and its history; the bot stops answering with it."""
        article = await service.get_by_reference(db_session, reference=ref)
        article_id = article.id
        await service.delete(db_session, article=article)
        await commit_and_announce(db_session, services, article_id)

    @post("/{ref:str}/publish", guards=[requires(*EDITORS)], status_code=200, errors=(409,))
    async def publish_article(
        self, request: Request, ref: FromPath[str], db_session: DbSession, services: Services,
        data: VersionGuardBody = None,
    ) -> dict:
        """Make the article live in every process; 400 when it is not ready (e.g. no questions).

        Optionally ``{"version"}`` to guard: a stale one is answered like a stale ``PATCH``, so nothing
        the editor has not seen goes live."""
        article = await service.get_by_reference(db_session, reference=ref)
        async with answering_stale_saves(db_session, article.id):
            await service.publish(db_session, article=article, author=author_of(request),
                                  expected_version=_guard_version(data))
        await commit_and_announce(db_session, services, article.id)
        return article_json(article)

    @get("/{ref:str}/versions", guards=[requires(*STAFF)])
    async def list_versions(self, ref: FromPath[str], db_session: DbSession) -> list[dict]:
        """Every saved version, newest first, each with its diff against the one before."""
        article = await service.get_by_reference(db_session, reference=ref)
        return [version_json(v) for v in await get_versions(db_session, article_id=article.id)]

    @post("/{ref:str}/versions/{number:int}/restore", guards=[requires(*EDITORS)], status_code=200, errors=(409,))
    async def restore_version(
        self, request: Request, ref: FromPath[str], number: FromPath[int], db_session: DbSession, services: Services,
        data: VersionGuardBody = None,
    ) -> dict:
        """Bring back version ``number``'s content as a new version (optionally ``{"version"}`` to guard;
        a stale one is answered like a stale ``PATCH``)."""
        article = await service.get_by_reference(db_session, reference=ref)
        async with answering_stale_saves(db_session, article.id):
            await service.restore(db_session, article=article, number=number, author=author_of(request),
                                  expected_version=_guard_version(data))
        await commit_and_announce(db_session, services, article.id)
        return article_json(article)

    @get("/{ref:str}/figures", guards=[requires(*STAFF)])
    async def figures(self, ref: FromPath[str], db_session: DbSession) -> dict:
        """Times answered, 👍, 👎 and hand-offs that followed the answer."""
        article = await service.get_by_reference(db_session, reference=ref)
        return {"slug": article.slug, **await article_figures(db_session, article_id=article.id)}
