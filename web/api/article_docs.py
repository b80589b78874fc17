"""How the OpenAPI schema describes the article bodies of ``POST /api/articles`` and ``PATCH /api/articles/{ref}``,
and the optional version guard of publishing and restoring.

Documentation only: the handlers still take the body as a plain object and validate it with
``knowledge_base.schema.parse_article``, whose messages list every problem at once. The limits
below come from that module, so the schema cannot drift from what it accepts. Rules JSON Schema
cannot say well (the source language must have a variant; a published article needs example
questions in every language) stay with ``parse_article``'s 400.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.params import Body

from core.settings import SUPPORTED_LANGUAGES
from knowledge_base.models import ARTICLE_STATUSES
from knowledge_base.schema import MAX_ANSWER, MAX_QUESTION, MAX_QUESTIONS, MAX_TAGS, MAX_TITLE, SLUG_PATTERN

NOT_BLANK = r"\S"  # text is trimmed before it is checked: a blank one counts as missing


def _text(max_length: int, description: str) -> Schema:
    return Schema(type=OpenAPIType.STRING, min_length=1, max_length=max_length, pattern=NOT_BLANK,
                  description=description)


VARIANT = Schema(
    type=OpenAPIType.OBJECT,
    required=["answer"],
    properties={
        "answer": _text(MAX_ANSWER, "The answer (Markdown subset)"),
        "questions": Schema(type=OpenAPIType.ARRAY, max_items=MAX_QUESTIONS,
                            items=Schema(type=OpenAPIType.STRING, max_length=MAX_QUESTION),
                            description="Example questions; a published article needs at least one per language"),
        "title": Schema(type=OpenAPIType.STRING, max_length=MAX_TITLE,
                        description="The title in this language (the article's title when omitted)"),
    },
    description="One language of the article",
)


def _fields(*, statuses: tuple[str, ...], variant: Schema, status_description: str) -> dict[str, Schema]:
    return {
        "slug": Schema(type=OpenAPIType.STRING, pattern=SLUG_PATTERN.pattern,
                       description="Lowercase letters, digits, '-' or '_'; unique"),
        "title": _text(MAX_TITLE, "The article's title"),
        "status": Schema(type=OpenAPIType.STRING, enum=list(statuses), description=status_description),
        "tags": Schema(type=OpenAPIType.ARRAY, max_items=MAX_TAGS, items=Schema(type=OpenAPIType.STRING)),
        "source_language": Schema(type=OpenAPIType.STRING, enum=list(SUPPORTED_LANGUAGES),
                                  description="The language the others are translated from; it must have a variant"),
        "variants": Schema(type=OpenAPIType.OBJECT, min_properties=1, additional_properties=False,
                           properties=dict.fromkeys(SUPPORTED_LANGUAGES, variant),
                           description="The article's languages, keyed by language code"),
    }


ArticleCreateBody = Annotated[dict[str, Any], Body(
    title="ArticleCreate",
    description="A new draft article",
    schema_extra={
        "properties": _fields(statuses=("draft",), variant=VARIANT,
                              status_description="Only draft: publish with POST /api/articles/{ref}/publish"),
        "required": ["slug", "title", "variants"],
    },
)]

ArticleChangeBody = Annotated[dict[str, Any], Body(
    title="ArticleChange",
    description="The version you edited and the fields to change; variants merge per language",
    schema_extra={
        "properties": {
            "version": Schema(type=OpenAPIType.INTEGER,
                              description="The version you edited: 409 when the article changed since"),
            **_fields(statuses=ARTICLE_STATUSES,
                      variant=Schema(one_of=[VARIANT, Schema(type=OpenAPIType.NULL)],
                                     description="One language of the article; null removes it"),
                      status_description="The article's status"),
        },
        "required": ["version"],
    },
)]

VersionGuardBody = Annotated[dict[str, Any] | None, Body(
    media_type=RequestEncodingType.JSON,
    title="VersionGuard",
    description="Optional: the version the action is meant for; without it the action applies to whatever is saved",
    schema_extra={
        "properties": {
            "version": Schema(type=OpenAPIType.INTEGER,
                              description="The version you were looking at: 409 when the article changed since"),
        },
    },
)]
