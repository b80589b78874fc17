"""The exchange shape of an article (REST API, import/export, version snapshots) and its validation.

Shape: ``{"slug", "title", "status", "tags": [...], "source_language",
"variants": {"uk": {"answer", "questions": [...], "title"?}, ...}}``. Validation reports every
problem at once, each with the field it concerns, so an editor or an import can fix them all.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from core.errors import ValidationFailed, describe
from core.settings import SUPPORTED_LANGUAGES
from knowledge_base.models import ARTICLE_STATUSES, Article

# Telegram callback data holds at most 64 bytes, and "fb:<slug>:down" must fit.
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,55}$")
MAX_TITLE = 255
MAX_ANSWER = 20_000
MAX_QUESTION = 500
MAX_QUESTIONS = 200
MAX_TAGS = 30


@dataclass(frozen=True)
class VariantData:
    """One language of an article: the answer (Markdown subset) and its example questions."""

    answer: str
    questions: tuple[str, ...]
    title: str | None = None


@dataclass(frozen=True)
class ArticleData:
    """A validated article in its exchange shape."""

    slug: str
    title: str
    status: str = "draft"
    tags: tuple[str, ...] = ()
    source_language: str = "uk"
    variants: dict[str, VariantData] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready exchange shape (variant titles only where set)."""
        variants = {}
        for language in sorted(self.variants):
            variant = self.variants[language]
            entry: dict[str, Any] = {"answer": variant.answer, "questions": list(variant.questions)}
            if variant.title:
                entry["title"] = variant.title
            variants[language] = entry
        return {"slug": self.slug, "title": self.title, "status": self.status, "tags": list(self.tags),
                "source_language": self.source_language, "variants": variants}


def article_to_data(article: Article) -> ArticleData:
    """The stored article as exchange data."""
    return ArticleData(
        slug=article.slug, title=article.title, status=article.status, tags=tuple(article.tags or ()),
        source_language=article.source_language,
        variants={v.language: VariantData(v.answer, tuple(v.questions or ()), v.title) for v in article.variants},
    )


def parse_article(raw: Any, *, default_source_language: str = "uk") -> ArticleData:
    """Validate one article in exchange shape.

    Args:
        raw: The decoded JSON/YAML object.
        default_source_language: The source language when ``raw`` names none and has that variant.

    Returns:
        The article, with whitespace trimmed and empty questions dropped.

    Raises:
        ValidationFailed: listing every problem as ``{"field", "error"}``.
    """
    problems: list[dict[str, str]] = []

    def problem(name: str, error: str) -> None:
        problems.append({"field": name, "error": error})

    if not isinstance(raw, dict):
        raise ValidationFailed("an article must be an object", [{"field": "", "error": "an article must be an object"}])
    # A number or an object where text belongs would otherwise read as a missing value ("the title is
    # required" for {"title": {}}): name what it is instead.
    wrong_type = fields_not_text(raw)
    for name, value in wrong_type.items():
        problem(name, f"must be text, not {kind_of(value)}")
    slug = _text(raw.get("slug"))
    if not slug:
        problem("slug", "the slug is required")
    elif not SLUG_PATTERN.match(slug):
        problem("slug", f"slug {slug!r} must be 1-56 lowercase letters, digits, '-' or '_', starting with a letter "
                        "or digit")
    title = _text(raw.get("title"))
    if not title:
        problem("title", "the title is required")
    elif len(title) > MAX_TITLE:
        problem("title", f"the title is longer than {MAX_TITLE} characters")
    status = raw.get("status") or "draft"
    if status not in ARTICLE_STATUSES:
        problem("status", f"status {status!r} is not one of {', '.join(ARTICLE_STATUSES)}")
    tags = _tags(raw.get("tags"), problem)
    variants = _variants(raw.get("variants"), status, problem)
    source = raw.get("source_language") or (default_source_language if default_source_language in variants
                                            else next(iter(sorted(variants)), default_source_language))
    if source not in SUPPORTED_LANGUAGES:
        problem("source_language", f"language {source!r} is not one of {', '.join(SUPPORTED_LANGUAGES)}")
    elif variants and source not in variants:
        problem("source_language", f"the source language {source!r} has no variant")
    # Each wrongly typed field is named once, as such, not also as missing.
    problems = [p for p in problems if p["field"] not in wrong_type or p["error"].startswith("must be text")]
    if problems:
        raise ValidationFailed(describe(problems), problems)
    return ArticleData(slug=slug, title=title, status=status, tags=tags, source_language=source, variants=variants)


def fields_not_text(raw: dict[str, Any]) -> dict[str, Any]:
    """The text fields of an article in exchange shape that hold another type (``"title": 404``), by name."""
    fields = {name: raw.get(name) for name in ("slug", "title", "status", "source_language")}
    variants = raw.get("variants")
    for language, body in (variants.items() if isinstance(variants, dict) else ()):
        if isinstance(body, dict):
            fields |= {f"variants.{language}.{name}": body.get(name) for name in ("answer", "title")}
    return {name: value for name, value in fields.items() if value is not None and not isinstance(value, str)}


def kind_of(value: Any) -> str:
    """What a non-text value is, in words for an error message."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _tags(raw: Any, problem) -> tuple[str, ...]:
    if raw in (None, ""):
        return ()
    if isinstance(raw, str):  # CSV and front matter may give "a, b"
        raw = raw.split(",")
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        problem("tags", "tags must be a list of strings")
        return ()
    tags = tuple(dict.fromkeys(t.strip() for t in raw if t.strip()))
    if len(tags) > MAX_TAGS:
        problem("tags", f"at most {MAX_TAGS} tags")
    return tags


def _variants(raw: Any, status: str, problem) -> dict[str, VariantData]:
    if raw in (None, {}):
        problem("variants", "at least one language variant (uk, ru or en) with an answer is required")
        return {}
    if not isinstance(raw, dict):
        problem("variants", "variants must be an object keyed by language")
        return {}
    variants = {}
    for language, body in raw.items():
        where = f"variants.{language}"
        if language not in SUPPORTED_LANGUAGES:
            problem(where, f"language {language!r} is not one of {', '.join(SUPPORTED_LANGUAGES)}")
            continue
        if not isinstance(body, dict):
            problem(where, "a variant must be an object with answer and questions")
            continue
        answer = _text(body.get("answer"))
        if not answer:
            problem(f"{where}.answer", "the answer is empty")
        elif len(answer) > MAX_ANSWER:
            problem(f"{where}.answer", f"the answer is longer than {MAX_ANSWER} characters")
        questions = _questions(body.get("questions"), f"{where}.questions", problem)
        if status == "published" and not questions:
            problem(f"{where}.questions", "a published article needs at least one example question in every language")
        title = _text(body.get("title")) or None
        if title and len(title) > MAX_TITLE:
            problem(f"{where}.title", f"the title is longer than {MAX_TITLE} characters")
        variants[language] = VariantData(answer, questions, title)
    return variants


def _questions(raw: Any, where: str, problem) -> tuple[str, ...]:
    if raw in (None, ""):
        return ()
    if isinstance(raw, str):  # CSV cells hold one question per line
        raw = raw.splitlines()
    if not isinstance(raw, list) or not all(isinstance(q, str) for q in raw):
        problem(where, "questions must be a list of strings")
        return ()
    # One line each, single spaces: the same question written twice counts once.
    questions = tuple(dict.fromkeys(" ".join(q.split()) for q in raw if q.strip()))
    if len(questions) > MAX_QUESTIONS:
        problem(where, f"at most {MAX_QUESTIONS} example questions")
    too_long = [q for q in questions if len(q) > MAX_QUESTION]
    if too_long:
        problem(where, f"questions longer than {MAX_QUESTION} characters: {len(too_long)}")
    return questions
