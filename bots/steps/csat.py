"""The shopper's 1–5 rating of a resolved conversation (a "csat:N" button or just the digit)."""

from __future__ import annotations

from bots.inbound import FlowContext
from bots.steps.callbacks import callback_data
from bots.steps.language import shopper_language
from bots.steps.outcomes import apply_outcome
from handoff import flows
from handoff.state import Outcome


async def csat(ctx: FlowContext) -> None:
    """Store the rating and thank the shopper; any other message ends the wait and goes to the bot."""
    conversation = ctx.conversation
    if conversation.status != "resolved" or not conversation.awaiting_csat:
        return
    score = flows.parse_rating(callback_data(ctx.inbound) or ctx.inbound.text)
    if score is None:
        # The shopper moved on without rating: stop asking, let the bot answer this message.
        conversation.awaiting_csat = False
        await ctx.session.flush()
        return
    outcome = Outcome()
    await flows.record_csat(ctx.session, conversation, score=score, language=shopper_language(ctx), outcome=outcome)
    apply_outcome(ctx, outcome)
    ctx.done = True
