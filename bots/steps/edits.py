"""An edited message (Telegram ``edited_message``) is read again only when the bot had no answer to it.

A shopper who gets "try asking in other words" often fixes the typo in place rather than writing anew;
the corrected question deserves its answer (found by QA: it was stored and never answered). An edit
of a question the bot did answer is stored for the agents and not answered twice.
"""

from __future__ import annotations

from datetime import timedelta

from bots.inbound import FlowContext
from bots.steps.last_answer import last_answer

# Edits later than this are about something long gone; the latest reply is what the shopper saw.
EDIT_WINDOW = timedelta(hours=24)


async def answer_edits_of_unanswered(ctx: FlowContext) -> None:
    """Stop at an edit when the bot's latest reply was an answer; otherwise the edit reads as a new question."""
    if ctx.inbound.kind != "edited":
        return
    if await last_answer(ctx.session, ctx.conversation.id, within=EDIT_WINDOW, before_id=ctx.message.id):
        ctx.done = True
