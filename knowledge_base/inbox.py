"""The unanswered inbox: what shoppers asked that the bot could not answer well, grouped by meaning.

Questions land here on a fallback, on a hand-off for low confidence and on a 👎. Similar questions
are grouped (character n-grams for wording and typos, sentence embeddings for meaning) so an
editor sees "17 × how do I pay in installments" instead of 17 rows, and turns a group into a draft
article with the group's questions as its example questions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.database import utcnow
from core.errors import ValidationFailed
from knowledge_base import service
from knowledge_base.models import Article, UnansweredQuestion
from knowledge_base.schema import MAX_QUESTION, MAX_QUESTIONS, article_to_data, parse_article
from knowledge_base.versions import Author
from nlu.text import normalize

# Two questions share a group when their meaning or their wording is this close. Meaning is the
# multilingual encoder's cosine (the English-only MiniLM scores unrelated Ukrainian questions 0.6-0.7):
# close paraphrases measured 0.52-0.83, unrelated shop questions at most 0.43.
DENSE_SIMILARITY = 0.5
CHAR_SIMILARITY = 0.55
INBOX_WINDOW = 500  # newest open questions considered for grouping
EXAMPLES_PER_GROUP = 5

Encode = Callable[[list[str]], np.ndarray]


async def record_unanswered(
    session: AsyncSession, *, text: str, language: str, reason: str, conversation_id: int | None = None,
    message_id: int | None = None, article_slug: str | None = None,
) -> UnansweredQuestion | None:
    """Put a shopper's question in the inbox (blank messages are not worth an editor's time)."""
    text = (text or "").strip()
    if not normalize(text):
        return None
    record = UnansweredQuestion(text=text[:2000], language=language, reason=reason, conversation_id=conversation_id,
                                message_id=message_id, article_slug=article_slug)
    session.add(record)
    await session.flush()
    return record


@dataclass(frozen=True)
class QuestionGroup:
    """Open inbox questions that mean the same thing."""

    question_ids: tuple[int, ...]
    examples: tuple[str, ...]
    languages: dict[str, int]
    reasons: dict[str, int]
    articles: tuple[str, ...]  # answers marked not helpful for these questions
    latest_at: datetime

    @property
    def count(self) -> int:
        """How many times shoppers asked this."""
        return len(self.question_ids)

    def to_dict(self) -> dict:
        """JSON shape for the API and the editor."""
        return {"key": self.question_ids[0], "count": self.count, "question_ids": list(self.question_ids),
                "examples": list(self.examples), "languages": self.languages, "reasons": self.reasons,
                "articles": list(self.articles), "latest_at": self.latest_at.isoformat()}


async def open_questions(session: AsyncSession, *, limit: int = INBOX_WINDOW) -> list[UnansweredQuestion]:
    """The newest questions not yet turned into an article, added to one or dismissed, newest first."""
    return list((await session.scalars(
        select(UnansweredQuestion).where(_open())
        .order_by(UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc()).limit(limit)
    )).all())


def _open():
    return UnansweredQuestion.resolved_article_id.is_(None) & UnansweredQuestion.dismissed_at.is_(None)


async def _open_records(session: AsyncSession, question_ids: Sequence[int]) -> list[UnansweredQuestion]:
    """The questions among ``question_ids`` still in the inbox, oldest first.

    Raises:
        ValidationFailed: none of them is.
    """
    records = list((await session.scalars(
        select(UnansweredQuestion).where(UnansweredQuestion.id.in_(list(question_ids)), _open())
        .order_by(UnansweredQuestion.id)
    )).all())
    if not records:
        raise ValidationFailed("none of these questions is in the inbox any more",
                               [{"field": "question_ids", "error": "no open question with these ids"}])
    return records


def _as_questions(records: Sequence[UnansweredQuestion]) -> list[str]:
    return list(dict.fromkeys(r.text.strip()[:MAX_QUESTION] for r in records))


async def _resolve(session: AsyncSession, records: Sequence[UnansweredQuestion], article: Article) -> None:
    await session.execute(update(UnansweredQuestion).where(UnansweredQuestion.id.in_([r.id for r in records]))
                          .values(resolved_article_id=article.id))


async def dismiss_questions(session: AsyncSession, *, question_ids: Sequence[int]) -> int:
    """Take questions out of the inbox with nothing to write (a 👎 on a right answer, chatter); how many left.

    Raises:
        ValidationFailed: none of them is in the inbox.
    """
    records = await _open_records(session, question_ids)
    await session.execute(update(UnansweredQuestion).where(UnansweredQuestion.id.in_([r.id for r in records]))
                          .values(dismissed_at=utcnow()))
    return len(records)


async def add_questions_to_article(
    session: AsyncSession, *, question_ids: Sequence[int], article: Article, language: str, author: Author,
) -> Article:
    """Add inbox questions to an existing article's ``language`` variant as example questions (a new version).

    What the bot missed is usually a new wording of something it knows: this teaches it that wording.
    The questions leave the inbox (linked to the article); a published article is answered with at once.

    Raises:
        ValidationFailed: no open question among ``question_ids``, the article has no such variant, or
            the variant would hold more than the allowed number of questions.
    """
    records = await _open_records(session, question_ids)
    data = article_to_data(article).to_dict()
    variant = data["variants"].get(language)
    if variant is None:
        raise ValidationFailed(f"the article has no {language!r} variant: add that language to it first",
                               [{"field": "language", "error": f"no {language!r} variant"}])
    questions = list(dict.fromkeys([*variant["questions"], *_as_questions(records)]))
    if len(questions) > MAX_QUESTIONS:
        raise ValidationFailed(f"the {language!r} variant would have {len(questions)} example questions; "
                               f"at most {MAX_QUESTIONS}", [{"field": "question_ids", "error": "too many questions"}])
    variant["questions"] = questions
    updated = await service.update(session, article=article, data=parse_article(data), author=author,
                                   expected_version=None)
    await _resolve(session, records, updated)
    return updated


def group_questions(questions: Sequence[UnansweredQuestion], encode: Encode | None = None) -> list[QuestionGroup]:
    """Group questions by meaning, within each language; groups come newest first.

    A group becomes one article variant's example questions, so questions in different languages never
    share one, however alike their meaning.

    Args:
        questions: Inbox records, newest first.
        encode: Turns texts into unit vectors (the multilingual sentence encoder); None groups by wording only.
    """
    if not questions:
        return []
    texts = [normalize(q.text) for q in questions]
    grams = _char_profiles(texts)
    vectors = encode(texts) if encode else None
    members: list[list[int]] = []
    for i in range(len(questions)):
        best, best_score = None, 0.0
        for g, group in enumerate(members):
            if questions[group[0]].language != questions[i].language:
                continue
            score = max(_similarity(i, j, grams, vectors) for j in group)
            if score > best_score:
                best, best_score = g, score
        if best is not None and best_score >= 1.0:
            members[best].append(i)
        else:
            members.append([i])
    groups = [_group([questions[i] for i in group]) for group in members]
    return sorted(groups, key=lambda group: group.latest_at, reverse=True)


async def create_article_from_group(
    session: AsyncSession, *, question_ids: Sequence[int], slug: str, title: str, language: str, answer: str,
    author: Author,
) -> Article:
    """Turn inbox questions into a draft article whose example questions are those questions.

    The questions leave the inbox (they are linked to the new article).

    Raises:
        ValidationFailed: no open question among ``question_ids``, or the article is invalid.
        ConflictError: the slug is taken.
    """
    records = await _open_records(session, question_ids)
    data = parse_article({"slug": slug, "title": title, "status": "draft", "source_language": language,
                          "variants": {language: {"answer": answer,
                                                  "questions": _as_questions(records)[:MAX_QUESTIONS]}}})
    article = await service.create(session, data=data, author=author)
    await _resolve(session, records, article)
    return article


def _group(records: list[UnansweredQuestion]) -> QuestionGroup:
    examples = list(dict.fromkeys(r.text for r in records))[:EXAMPLES_PER_GROUP]
    return QuestionGroup(
        question_ids=tuple(r.id for r in records), examples=tuple(examples),
        languages=dict(Counter(r.language for r in records)), reasons=dict(Counter(r.reason for r in records)),
        articles=tuple(sorted({r.article_slug for r in records if r.article_slug})),
        latest_at=max(r.created_at for r in records),
    )


def _char_profiles(texts: list[str]) -> list[Counter]:
    profiles = []
    for text in texts:
        padded = f" {text} "
        profiles.append(Counter(padded[k:k + 3] for k in range(max(1, len(padded) - 2))))
    return profiles


def _similarity(i: int, j: int, grams: list[Counter], vectors: np.ndarray | None) -> float:
    """Similarity scaled so that 1.0 is the grouping threshold of whichever signal is stronger."""
    a, b = grams[i], grams[j]
    shared = sum((a & b).values())
    char = 2 * shared / (sum(a.values()) + sum(b.values()) or 1)
    score = char / CHAR_SIMILARITY
    if vectors is not None:
        score = max(score, float(vectors[i] @ vectors[j]) / DENSE_SIMILARITY)
    return score
