"""What happened after the bot answered with an article: 👍/👎 and hand-offs that followed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import ConversationEvent
from knowledge_base.inbox import record_unanswered
from knowledge_base.models import AnswerRecord, Article


async def record_answer(
    session: AsyncSession, *, article: Article, conversation_id: int, question: str, language: str
) -> AnswerRecord:
    """Note that the bot answered ``question`` with ``article``."""
    record = AnswerRecord(article_id=article.id, conversation_id=conversation_id, question=question[:2000],
                          language=language)
    session.add(record)
    await session.flush()
    return record


async def record_feedback(
    session: AsyncSession, *, article: Article, conversation_id: int, helpful: bool, message_id: int | None = None
) -> AnswerRecord | None:
    """Store the shopper's 👍/👎 on the latest answer with ``article`` in the conversation.

    A 👎 also puts the question in the unanswered inbox. A second press changes the rating.

    Returns:
        The rated answer, or None when the conversation got no answer with this article.
    """
    answer = await session.scalar(
        select(AnswerRecord).where(AnswerRecord.article_id == article.id,
                                   AnswerRecord.conversation_id == conversation_id)
        .order_by(AnswerRecord.id.desc()).limit(1)
    )
    if answer is None:
        return None
    previous, answer.feedback = answer.feedback, "up" if helpful else "down"
    if not helpful and previous != "down":
        await record_unanswered(session, text=answer.question, language=answer.language, reason="not_helpful",
                                conversation_id=conversation_id, message_id=message_id, article_slug=article.slug)
    return answer


async def article_figures(session: AsyncSession, *, article_id: int) -> dict[str, int]:
    """Times answered, 👍, 👎, and hand-offs that came before the conversation's next answer."""
    answers = (await session.execute(
        select(AnswerRecord.id, AnswerRecord.conversation_id, AnswerRecord.created_at, AnswerRecord.feedback)
        .where(AnswerRecord.article_id == article_id)
    )).all()
    conversations = {a.conversation_id for a in answers}
    later_answers = (await session.execute(
        select(AnswerRecord.conversation_id, AnswerRecord.created_at)
        .where(AnswerRecord.conversation_id.in_(conversations))
    )).all() if conversations else []
    handoffs = (await session.execute(
        select(ConversationEvent.conversation_id, ConversationEvent.created_at)
        .where(ConversationEvent.kind == "handoff", ConversationEvent.conversation_id.in_(conversations))
    )).all() if conversations else []
    followed = 0
    for answer in answers:
        next_answer = min((a.created_at for a in later_answers
                           if a.conversation_id == answer.conversation_id and a.created_at > answer.created_at),
                          default=None)
        if any(h.conversation_id == answer.conversation_id and h.created_at >= answer.created_at
               and (next_answer is None or h.created_at < next_answer) for h in handoffs):
            followed += 1
    return {
        "answered": len(answers),
        "helpful": sum(1 for a in answers if a.feedback == "up"),
        "not_helpful": sum(1 for a in answers if a.feedback == "down"),
        "handoffs_after": followed,
    }
