"""``/api/kb``: "test a question" against the live index, and the unanswered inbox."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, JSONBody
from pydantic import BaseModel, Field

from core.errors import ConflictError
from core.settings import SUPPORTED_LANGUAGES
from knowledge_base.inbox import (
    add_questions_to_article,
    create_article_from_group,
    dismiss_questions,
    group_questions,
    open_questions,
)
from knowledge_base.service import get_by_reference
from nlu.multilingual import get_multilingual_encoder
from nlu.types import Decision
from web.api.articles import article_json, author_of, commit_and_announce
from web.auth import EDITORS, STAFF, requires
from web.deps import DbSession, Services
from web.query_filters import choice, one_of
from web.services import AppServices


class ArticleFromGroup(BaseModel):
    """A new draft article made from inbox questions (they become its example questions)."""

    question_ids: list[int] = Field(min_length=1, max_length=500)
    slug: str = Field(max_length=200)
    title: str = Field(max_length=500)
    language: str = Field(max_length=8)
    answer: str = Field(max_length=20_000)


class InboxQuestions(BaseModel):
    """Questions of the inbox, by id (a group's ``question_ids``)."""

    question_ids: list[int] = Field(min_length=1, max_length=500)


class QuestionsForArticle(InboxQuestions):
    """Inbox questions to add to an existing article's variant as example questions."""

    article: str = Field(max_length=200, description="the article's slug or id")
    language: str = Field(max_length=8)


def decision_json(decision: Decision) -> dict[str, Any]:
    """A decision as the editor's "test a question" shows it."""
    return {
        "decision": {"action": decision.action, "article_id": decision.article_id,
                     "confidence": decision.confidence, "reason": decision.reason,
                     # the explanation holds numpy numbers: make it plain JSON
                     "explanation": json.loads(json.dumps(decision.explanation, default=float))},
        # The answers to the message's other questions, when it asks several (nlu.multi_question).
        "also": [{"article_id": d.article_id, "confidence": float(d.confidence),
                  "question": d.explanation.get("question")} for d in decision.also],
        "matches": [{"article_id": c.article_id, "title": c.title, "score": float(c.score), "language": c.language}
                    for c in decision.candidates],
        "language": decision.language,
    }


def _index(services: AppServices):
    index = services.extras.get("kb_index")
    if index is None:
        raise ConflictError("the knowledge index is not running in this process")
    return index


class KnowledgeBaseController(Controller):
    """Testing questions and the unanswered inbox."""

    path = "/api/kb"
    tags = ["knowledge base"]

    @get("/search", guards=[requires(*STAFF)], errors=(409,))
    async def search(
        self, q: FromQuery[str], services: Services,
        language: Annotated[str | None, choice(SUPPORTED_LANGUAGES)] = None,
    ) -> dict:
        """What the bot would do with ``q``: the decision, the top matches with scores, the language."""
        one_of("language", language, SUPPORTED_LANGUAGES)
        decision = await _index(services).decide(q[:4000], language_hint=language)
        return decision_json(decision)

    @get("/unanswered", guards=[requires(*STAFF)])
    async def unanswered(self, db_session: DbSession, services: Services) -> dict:
        """Open inbox questions grouped by meaning, newest group first, with counts and examples."""
        questions = await open_questions(db_session)
        encoder = get_multilingual_encoder()
        groups = await asyncio.to_thread(group_questions, questions, encoder.encode)  # encoding is CPU work
        return {"total": len(questions), "groups": [group.to_dict() for group in groups]}

    @post("/unanswered/article", guards=[requires(*EDITORS)], errors=(409,))
    async def article_from_group(
        self, request: Request, data: JSONBody[ArticleFromGroup], db_session: DbSession, services: Services
    ) -> dict:
        """Create a draft article whose example questions are the group's questions; they leave the inbox."""
        article = await create_article_from_group(
            db_session, question_ids=data.question_ids, slug=data.slug, title=data.title, language=data.language,
            answer=data.answer, author=author_of(request),
        )
        await commit_and_announce(db_session, services, article.id)
        return article_json(article)

    @post("/unanswered/add-to-article", guards=[requires(*EDITORS)], errors=(404, 409))
    async def add_to_article(
        self, request: Request, data: JSONBody[QuestionsForArticle], db_session: DbSession, services: Services
    ) -> dict:
        """Add the group's questions to an existing article's variant as example questions; they leave the inbox."""
        article = await get_by_reference(db_session, reference=data.article)
        article = await add_questions_to_article(db_session, question_ids=data.question_ids, article=article,
                                                 language=data.language, author=author_of(request))
        await commit_and_announce(db_session, services, article.id)
        return article_json(article)

    @post("/unanswered/dismiss", guards=[requires(*EDITORS)], status_code=200)
    async def dismiss(self, data: JSONBody[InboxQuestions], db_session: DbSession) -> dict:
        """Take the group's questions out of the inbox with nothing to write (a 👎 on a right answer, chatter)."""
        return {"dismissed": await dismiss_questions(db_session, question_ids=data.question_ids)}
