"""Which language the bot speaks to the shopper in, for steps that reply before the NLU has decided."""

from __future__ import annotations

from bots.inbound import FlowContext
from core.settings import SUPPORTED_LANGUAGES


def shopper_language(ctx: FlowContext) -> str:
    """The conversation's language, else the channel's hint when supported, else the default."""
    hint = ctx.inbound.language_hint or ctx.identity.language_code
    for candidate in (ctx.conversation.language, hint):
        if candidate in SUPPORTED_LANGUAGES:
            return candidate
    return ctx.settings.default_language
