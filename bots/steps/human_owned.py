"""While people own a conversation (queued or assigned) the bot answers nothing itself.

A queued shopper who writes again only hears, now and then, that the message is passed on
(:mod:`handoff.waiting`); once an agent holds the conversation the bot is silent. One exception either
way: "stop" / "unsubscribe" (or "subscribe") is recorded and confirmed as :mod:`bots.steps.opt_out`
does with the bot, instead of the acknowledgement; the message still reaches the agents like any other.
"""

from __future__ import annotations

from bots.inbound import FlowContext
from bots.steps.customer_texts import text
from bots.steps.language import settle_language, shopper_language
from bots.steps.opt_out import record_marketing_choice
from bots.steps.outcomes import apply_outcome
from core.database import utcnow
from handoff import flows
from handoff.state import HUMAN_STATUSES, Outcome
from handoff.waiting import acknowledge_waiting


async def human_owned(ctx: FlowContext) -> None:
    """Keep the message for the agent, tell the console, start the next-response timer; acknowledge if queued."""
    if ctx.conversation.status not in HUMAN_STATUSES:
        return
    if ctx.inbound.reads_as_text:
        # A shopper who switches language with the agent gets the rating question and the bot's later
        # answers in it too (found by QA: "Please rate…" in English after a Ukrainian exchange).
        settle_language(ctx)
    # Found in support: "stop" while waiting for a person got "your message is passed on" and the
    # promotions kept coming; the choice is the shopper's to make whoever holds the conversation.
    marketing_choice = record_marketing_choice(ctx)
    outcome = Outcome()
    now = utcnow()
    await flows.customer_wrote(ctx.session, ctx.conversation, now=now, outcome=outcome)
    if marketing_choice is not None:
        ctx.reply(text(ctx, marketing_choice))
    else:
        await acknowledge_waiting(ctx.session, ctx.conversation, now=now, language=shopper_language(ctx),
                                  outcome=outcome)
    apply_outcome(ctx, outcome)
    ctx.done = True
