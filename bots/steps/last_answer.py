"""The bot's latest answer in a conversation: what a follow-up question or a bare "оператор" leans on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.database import utcnow
from core.models import Message


async def last_answer(session: AsyncSession, conversation_id: int, *, within: timedelta, among: int = 1,
                      before_id: int | None = None, clarifies: bool = False) -> tuple[Message, str | None] | None:
    """The bot's latest answer and the slug of its article, or None.

    Only the conversation's latest ``among`` replies (sent before message ``before_id``, when given) that
    are younger than ``within`` are looked at: an answer further back is not what the shopper is on about.
    The answer step stores its decision on each reply it sends, which is how an answer is recognised.
    With ``clarifies``, a "Did you mean …?" counts too, with no slug (the shopper has chosen none yet):
    a short message right after the buttons still leans on the question they were offered for.
    """
    statement = select(Message).where(Message.conversation_id == conversation_id, Message.direction == "out",
                                      Message.created_at >= utcnow() - within)
    if before_id is not None:
        statement = statement.where(Message.id < before_id)
    for reply in (await session.scalars(statement.order_by(Message.id.desc()).limit(among))).all():
        decision = (reply.payload or {}).get("decision")
        if not isinstance(decision, dict):
            continue
        if decision.get("action") == "answer" and decision.get("article_id"):
            return reply, str(decision["article_id"])
        # The buttons after a bare "ні" were offered for no question of their own: the text before them is "ні".
        if clarifies and decision.get("action") == "clarify" and decision.get("reason") != "not_that":
            return reply, None
    return None
