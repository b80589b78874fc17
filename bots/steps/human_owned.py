"""While people own a conversation (queued or assigned) the bot stays silent."""

from __future__ import annotations

from bots.inbound import FlowContext
from core.database import utcnow
from handoff import flows
from handoff.state import HUMAN_STATUSES, Outcome


async def human_owned(ctx: FlowContext) -> None:
    """Keep the message for the agent, tell the console, start the next-response timer; no bot reply."""
    if ctx.conversation.status not in HUMAN_STATUSES:
        return
    outcome = Outcome()
    await flows.customer_wrote(ctx.session, ctx.conversation, now=utcnow(), outcome=outcome)
    for topic, event in outcome.events:
        ctx.publish_after_commit(topic, event)
    ctx.done = True
