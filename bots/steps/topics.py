"""What a shopper's message is about: the tags of the knowledge-base article it matched.

Editors already tag articles (``returns``, ``warranty``, ``payment`` …); those tags are the topics the
hand-off rules (``HANDOFF_TOPICS``, ``COMPLEX_TOPICS``) and skills routing read, so a shop configures
topics in one place and no separate topic classifier has to be trained or kept in step.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bots.steps.last_answer import last_answer
from knowledge_base.models import Article
from nlu.types import Decision

# "оператор" right after a warranty answer is about the warranty: a hand-off whose own message names
# no topic takes the article the bot answered last in the conversation, this recently.
RECENT_ANSWER_WINDOW = timedelta(minutes=30)
RECENT_REPLIES = 10


def guessed_article(decision: Decision) -> str | None:
    """The slug of the article a decision is about: the answer, else a best candidate worth offering.

    A candidate counts from the clarify threshold up, the score from which the bot would offer it as
    "did you mean"; below it the match is noise, and routing a shopper by noise sends them to the wrong team.
    """
    if decision.action == "answer":
        return decision.article_id
    if not decision.candidates:
        return None
    best = decision.candidates[0]
    clarify = (decision.explanation or {}).get("thresholds", {}).get("clarify")
    # A decision without thresholds (e.g. a button press) has no unsure guess to trust.
    return best.article_id if clarify is not None and best.score >= clarify else None


async def message_topics(session: AsyncSession, decision: Decision, article: Article | None = None) -> list[str]:
    """The topics of a message: the tags of the article ``decision`` is about (none when it is about none).

    Args:
        session: Where to read the guessed article's tags.
        decision: The NLU decision on the message.
        article: The article already loaded for an answer; saves the query.
    """
    slug = guessed_article(decision)
    if slug is None:
        return []
    if article is not None and article.slug == slug:
        return list(article.tags or [])
    tags = await session.scalar(select(Article.tags).where(Article.slug == slug, Article.status == "published"))
    return list(tags or [])


async def recent_answer_topics(session: AsyncSession, conversation_id: int) -> list[str]:
    """The tags of the article the bot answered last in the conversation, within :data:`RECENT_ANSWER_WINDOW`.

    Only the latest :data:`RECENT_REPLIES` replies are looked at.
    """
    found = await last_answer(session, conversation_id, within=RECENT_ANSWER_WINDOW, among=RECENT_REPLIES)
    if found is None:
        return []
    tags = await session.scalar(select(Article.tags).where(Article.slug == found[1]))
    return list(tags or [])
