"""The shopper's 1–5 rating of a resolved conversation (a "csat:N" button or just the digit).

A rating button stays on screen after the shopper moves on, so a press can come late: after a
question the bot answered (the wait for a rating has ended) or after a new conversation began. Such a
press is stored on the conversation it was asked for when that is the shopper's latest resolved one,
resolved less than :data:`LATE_RATING_WINDOW` ago; otherwise the shopper is thanked all the same. A
second press there replaces the first: a shopper who tapped 1 for 5 corrects it by tapping again. A
typed rating counts while the rating is awaited, and for :data:`RATING_CORRECTION_WINDOW` after one was
given ("3, могло быть быстрее" typed after pressing 4 replaces the 4; the message, comment and all,
stays in the rated conversation's history); later it is just a message.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bots.inbound import FlowContext, InboundMessage
from bots.steps.callbacks import callback_data
from bots.steps.language import shopper_language
from bots.steps.outcomes import apply_outcome
from core.database import utcnow
from core.models import Conversation, ConversationEvent
from handoff import flows, texts
from handoff.ratings import CSAT_PREFIX, parse_rating
from handoff.state import Outcome

RATING_BUTTON = CSAT_PREFIX
# A press after this is about help too long ago to tell what it rates; the shopper is thanked only.
LATE_RATING_WINDOW = timedelta(hours=24)
# Long enough to type a comment with a score after pressing a button; short enough that a later "2"
# is read as a new message, not as a rating of help long done.
RATING_CORRECTION_WINDOW = timedelta(minutes=15)


def is_rating_press(inbound: InboundMessage) -> bool:
    """Tell whether ``inbound`` is a press of a rating button (on time or late)."""
    return (callback_data(inbound) or "").startswith(RATING_BUTTON)


def typed_rating(inbound: InboundMessage) -> int | None:
    """The score of a typed rating ("2 stars, too slow"), else None."""
    return parse_rating(inbound.text or "") if inbound.kind == "text" else None


async def corrects_rating(session: AsyncSession, conversation: Conversation, inbound: InboundMessage) -> bool:
    """Tell whether ``inbound`` is a typed rating that corrects the one just given on ``conversation``."""
    if not (conversation.status == "resolved" and conversation.csat_score is not None
            and not conversation.awaiting_csat and typed_rating(inbound) is not None):
        return False
    # When the rating was given, not when the row last changed: a merge or an edit touches the row.
    rated_at = await session.scalar(
        select(ConversationEvent.created_at)
        .where(ConversationEvent.conversation_id == conversation.id, ConversationEvent.kind == "csat_rated")
        .order_by(ConversationEvent.id.desc()).limit(1))
    return rated_at is not None and utcnow() - rated_at <= RATING_CORRECTION_WINDOW


async def csat(ctx: FlowContext) -> None:
    """Store the rating and thank the shopper; any other message ends the wait and goes to the bot."""
    conversation = ctx.conversation
    pressed = callback_data(ctx.inbound)
    if conversation.status == "resolved" and conversation.awaiting_csat:
        score = parse_rating(pressed or ctx.inbound.text)
        if score is None:
            # The shopper moved on without rating: stop asking, let the bot answer this message.
            conversation.awaiting_csat = False
            await ctx.session.flush()
            return
        await _record(ctx, conversation, score)
    elif await corrects_rating(ctx.session, conversation, ctx.inbound):
        await _record(ctx, conversation, typed_rating(ctx.inbound))
    elif is_rating_press(ctx.inbound) and conversation.status in ("bot", "resolved"):
        await _late_press(ctx, parse_rating(pressed))


async def _late_press(ctx: FlowContext, score: int | None) -> None:
    rated = await ctx.session.scalar(
        select(Conversation).where(Conversation.customer_id == ctx.customer.id, Conversation.status == "resolved")
        .order_by(Conversation.id.desc()).limit(1))
    if (score is not None and rated is not None and rated.resolved_at is not None
            and utcnow() - rated.resolved_at <= LATE_RATING_WINDOW):
        await _record(ctx, rated, score)
        return
    ctx.reply(texts.text("csat_thanks", shopper_language(ctx)))
    ctx.done = True


async def _record(ctx: FlowContext, conversation: Conversation, score: int) -> None:
    outcome = Outcome()
    await flows.record_csat(ctx.session, conversation, score=score, language=shopper_language(ctx), outcome=outcome)
    apply_outcome(ctx, outcome)
    ctx.done = True
