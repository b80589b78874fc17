"""While people own a conversation (queued or assigned) the bot stays silent."""

from __future__ import annotations

from bots.inbound import FlowContext
from bots.steps.language import settle_language
from core.database import utcnow
from handoff import flows
from handoff.state import HUMAN_STATUSES, Outcome


async def human_owned(ctx: FlowContext) -> None:
    """Keep the message for the agent, tell the console, start the next-response timer; no bot reply."""
    if ctx.conversation.status not in HUMAN_STATUSES:
        return
    if ctx.inbound.reads_as_text:
        # A shopper who switches language with the agent gets the rating question and the bot's later
        # answers in it too (found by QA: "Please rate…" in English after a Ukrainian exchange).
        settle_language(ctx)
    outcome = Outcome()
    await flows.customer_wrote(ctx.session, ctx.conversation, now=utcnow(), outcome=outcome)
    for topic, event in outcome.events:
        ctx.publish_after_commit(topic, event)
    ctx.done = True
