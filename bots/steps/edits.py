"""An edited message (Telegram ``edited_message``) is read again only when the bot had no answer to it.

A shopper who gets "try asking in other words" often fixes the typo in place rather than writing anew;
the corrected question deserves its answer (found by QA: it was stored and never answered). An edit
of a message the bot did reply to (an answer, a "you're welcome", a welcome) is stored for the agents
and not replied to twice.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bots.inbound import FlowContext
from core.database import utcnow
from core.models import Message

# Edits later than this are about something long gone; the latest reply is what the shopper saw.
EDIT_WINDOW = timedelta(hours=24)
# The bot's replies that say it had no answer: the fallback, "Did you mean", "ask in words".
_NO_ANSWER = frozenset({"fallback", "clarify"})


async def answer_edits_of_unanswered(ctx: FlowContext) -> None:
    """Stop at an edit unless the bot's latest reply said it had no answer; then the edit reads as a new question."""
    if ctx.inbound.kind != "edited":
        return
    if not await _left_unanswered(ctx.session, ctx.conversation.id, before_id=ctx.message.id):
        ctx.done = True


async def _left_unanswered(session: AsyncSession, conversation_id: int, *, before_id: int) -> bool:
    latest = await session.scalar(
        select(Message).where(Message.conversation_id == conversation_id, Message.direction == "out",
                              Message.id < before_id, Message.created_at >= utcnow() - EDIT_WINDOW)
        .order_by(Message.id.desc()).limit(1))
    if latest is None:
        # Nothing was said back (the message came in while the bot was down): the edit gets its answer.
        return True
    decision = (latest.payload or {}).get("decision")
    return isinstance(decision, dict) and decision.get("action") in _NO_ANSWER
