"""Which language the bot speaks to the shopper in: one rule for every step's own texts."""

from __future__ import annotations

from bots.inbound import FlowContext
from bots.steps.callbacks import decision_field
from core import language
from nlu.language import detect_language


def shopper_language(ctx: FlowContext) -> str:
    """The first supported one of: the conversation's language, the NLU's for this message (once it has
    decided), the customer's preferred language, the channel's hint; else the shop's default
    (:func:`core.language.shopper_language`)."""
    return language.shopper_language(
        ctx.conversation, ctx.customer, detected=decision_field(ctx.decision, "language"),
        hint=ctx.inbound.language_hint or ctx.identity.language_code, default=ctx.settings.default_language)


def settle_language(ctx: FlowContext) -> str:
    """Store the conversation's language for a message a step answers without the NLU decision; return it.

    The answer step stores the NLU's language for every text it decides on; the steps that answer
    before it (orders, small talk) must too, or conversations only they served keep no language and
    analytics' language filter misses them. A text goes through the NLU's own detection with the same
    inputs the answer step gives it; a button press, which has no words to read, takes
    :func:`shopper_language`.
    """
    conversation = ctx.conversation
    conversation.language = text_language(ctx) if ctx.inbound.reads_as_text else shopper_language(ctx)
    return conversation.language


def text_language(ctx: FlowContext) -> str:
    """The language the NLU reads the shopper's text in: its detection, given what the answer step gives it."""
    return detect_language(ctx.inbound.text, hint=ctx.inbound.language_hint, previous=ctx.conversation.language,
                           default=ctx.settings.default_language)
