"""Which language the bot speaks to the shopper in: one rule for every step's own texts."""

from __future__ import annotations

from bots.inbound import FlowContext
from bots.steps.callbacks import decision_field
from core import language


def shopper_language(ctx: FlowContext) -> str:
    """The first supported one of: the conversation's language, the NLU's for this message (once it has
    decided), the customer's preferred language, the channel's hint; else the shop's default
    (:func:`core.language.shopper_language`)."""
    return language.shopper_language(
        ctx.conversation, ctx.customer, detected=decision_field(ctx.decision, "language"),
        hint=ctx.inbound.language_hint or ctx.identity.language_code, default=ctx.settings.default_language)
