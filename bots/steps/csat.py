"""The shopper's 1–5 rating of a resolved conversation (a "csat:N" button or just the digit).

A rating button stays on screen after the shopper moves on, so a press can come late: after a
question the bot answered (the wait for a rating has ended) or after a new conversation began. Such a
press is stored on the conversation it was asked for when that is the shopper's latest resolved one,
resolved less than :data:`LATE_RATING_WINDOW` ago; otherwise the shopper is thanked all the same. A
second press there replaces the first: a shopper who tapped 1 for 5 corrects it by tapping again.

A typed rating counts while the rating window is open (:func:`rating_window_open`): while the rating
is awaited, and for :data:`RATING_WINDOW` after the resolve when none was given, or after one was
given ("3, могло быть быстрее" typed after pressing 4 replaces the 4; the message, comment and all,
stays in the rated conversation's history); later it is just a message. Most shoppers thank the agent
before they rate: thanks or praise ("дякую!", "все супер") in the open window stays in the rated
conversation and keeps the rating awaited (the first answered with the buttons again while there is
no rating, later ones with thanks only: :data:`BUTTON_SHOWINGS`), so the "5" that follows is still the
rating — before, the thanks ended the wait and the "5" got the bot's "no answer". A rating typed soon
after the resolve in a conversation begun since (the window was ended by something else, "ок") rates
the resolved one too, as a late press does.
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
from core.models import Conversation, ConversationEvent, Message
from handoff import flows, texts
from handoff.ratings import CSAT_PREFIX, csat_buttons, is_praise, parse_rating
from handoff.state import Notice, Outcome
from nlu.small_talk import THANKS, small_talk

RATING_BUTTON = CSAT_PREFIX
# A press after this is about help too long ago to tell what it rates; the shopper is thanked only.
LATE_RATING_WINDOW = timedelta(hours=24)
# Long enough to thank the agent and type a score (or a comment with a score after pressing a button);
# short enough that a later "2" is read as a new message, not as a rating of help long done.
RATING_WINDOW = timedelta(minutes=15)
# The request and one reminder with the first thanks: each further "дякую" is thanked without buttons.
# Not "only when the last bot message had none": the first thanks (right after the request) would then get
# none, and thanks alternating with the bot's replies would bring them back every other time.
BUTTON_SHOWINGS = 2


def is_rating_press(inbound: InboundMessage) -> bool:
    """Tell whether ``inbound`` is a press of a rating button (on time or late)."""
    return (callback_data(inbound) or "").startswith(RATING_BUTTON)


def typed_rating(inbound: InboundMessage) -> int | None:
    """The score of a typed rating ("2 stars, too slow"), else None."""
    return parse_rating(inbound.text or "") if inbound.kind == "text" else None


def is_rating_talk(inbound: InboundMessage) -> bool:
    """Tell whether ``inbound`` only thanks or praises ("спасибо большое!", "great service!")."""
    text = inbound.text or ""
    return inbound.kind == "text" and (small_talk(text) == THANKS or is_praise(text))


async def rating_window_open(session: AsyncSession, conversation: Conversation) -> bool:
    """Tell whether a typed rating, thanks or praise now still belongs to the resolved ``conversation``."""
    if conversation.status != "resolved":
        return False
    if conversation.awaiting_csat:
        return True
    if conversation.csat_score is None:
        return conversation.resolved_at is not None and utcnow() - conversation.resolved_at <= RATING_WINDOW
    # When the rating was given, not when the row last changed: a merge or an edit touches the row.
    rated_at = await session.scalar(
        select(ConversationEvent.created_at)
        .where(ConversationEvent.conversation_id == conversation.id, ConversationEvent.kind == "csat_rated")
        .order_by(ConversationEvent.id.desc()).limit(1))
    return rated_at is not None and utcnow() - rated_at <= RATING_WINDOW


async def belongs_to_rating(session: AsyncSession, conversation: Conversation, inbound: InboundMessage) -> bool:
    """Tell whether ``inbound`` goes to ``conversation``'s rating rather than to a new conversation.

    A rating button does on time or late; a typed rating, thanks or praise while its window is open.
    """
    if is_rating_press(inbound):
        return True
    about_rating = typed_rating(inbound) is not None or is_rating_talk(inbound)
    return about_rating and await rating_window_open(session, conversation)


async def csat(ctx: FlowContext) -> None:
    """Store the rating and thank the shopper; any other message ends the wait and goes to the bot."""
    conversation = ctx.conversation
    pressed = callback_data(ctx.inbound)
    if conversation.status == "resolved" and conversation.awaiting_csat:
        score = parse_rating(pressed or ctx.inbound.text)
        if score is not None:
            await _record(ctx, conversation, score)
        elif is_rating_talk(ctx.inbound):
            await _answer_rating_talk(ctx, conversation)
        else:
            # The shopper moved on without rating: stop asking, let the bot answer this message.
            conversation.awaiting_csat = False
            await ctx.session.flush()
    elif is_rating_press(ctx.inbound):
        if conversation.status in ("bot", "resolved"):
            await _late_press(ctx, parse_rating(pressed))
    elif (score := typed_rating(ctx.inbound)) is not None and conversation.status in ("bot", "resolved"):
        # In a conversation begun since the resolve, the rating still goes to the resolved one.
        rated = conversation if conversation.status == "resolved" else await _latest_resolved(ctx)
        if rated is not None and await rating_window_open(ctx.session, rated):
            await _record(ctx, rated, score)
    elif conversation.status == "resolved" and is_rating_talk(ctx.inbound):
        await _answer_rating_talk(ctx, conversation)


async def _answer_rating_talk(ctx: FlowContext, conversation: Conversation) -> None:
    """Thank a shopper who thanked or praised; ask for the rating again (with its buttons) once if none came yet."""
    language = shopper_language(ctx)
    outcome = Outcome()
    if conversation.csat_score is None and await _button_showings(ctx.session, conversation) < BUTTON_SHOWINGS:
        outcome.tell(Notice(texts.text("csat_glad_ask", language), buttons=csat_buttons(), author="bot"))
    else:
        outcome.tell(Notice(texts.text("csat_glad", language), author="bot"))
    apply_outcome(ctx, outcome)
    ctx.done = True


async def _button_showings(session: AsyncSession, conversation: Conversation) -> int:
    """How many messages with the rating buttons went out since ``conversation`` last asked for a rating."""
    asked_at = await session.scalar(
        select(ConversationEvent.created_at)
        .where(ConversationEvent.conversation_id == conversation.id, ConversationEvent.kind == "csat_requested")
        .order_by(ConversationEvent.id.desc()).limit(1))
    if asked_at is None:
        return 0
    payloads = await session.scalars(
        select(Message.payload).where(Message.conversation_id == conversation.id, Message.direction == "out",
                                      Message.created_at >= asked_at))
    return sum(1 for payload in payloads if _carries_rating_buttons(payload))


def _carries_rating_buttons(payload: dict) -> bool:
    return any(str(button.get("data", "")).startswith(RATING_BUTTON)
               for row in payload.get("buttons") or [] for button in row)


async def _latest_resolved(ctx: FlowContext) -> Conversation | None:
    return await ctx.session.scalar(
        select(Conversation).where(Conversation.customer_id == ctx.customer.id, Conversation.status == "resolved")
        .order_by(Conversation.id.desc()).limit(1))


async def _late_press(ctx: FlowContext, score: int | None) -> None:
    rated = await _latest_resolved(ctx)
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
