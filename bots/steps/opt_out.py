"""Marketing opt-out: "stop" / "відписатися" / "отписаться" / "unsubscribe" ends promotional messages."""

from __future__ import annotations

import re

from bots.inbound import FlowContext
from bots.steps.customer_texts import text
from bots.steps.language import settle_language
from core.models import AuditRecord

OPT_OUT_WORDS = frozenset({"stop", "unsubscribe", "стоп", "відписатися", "відписатись", "отписаться",
                           "отписатся", "відписка", "отписка"})
OPT_IN_WORDS = frozenset({"subscribe", "підписатися", "підписатись", "подписаться"})


def _command(message: str) -> str:
    return re.sub(r"[^\w]+", " ", message.lower()).strip().removeprefix("/")


def record_marketing_choice(ctx: FlowContext) -> str | None:
    """Record (and audit) the choice about promotional messages the shopper's text makes, if it makes one.

    Returns:
        The key of the confirmation in :mod:`bots.steps.customer_texts` ("opted_out" or "opted_in"),
        or None when the message is no opt-out or opt-in command. Used by this step and, for a shopper
        whom people hold, by :mod:`bots.steps.human_owned`: the choice counts whoever holds the conversation.
    """
    if ctx.inbound.kind != "text":
        return None
    command = _command(ctx.inbound.text)
    if command in OPT_OUT_WORDS:
        opt_out, key = True, "opted_out"
    elif command in OPT_IN_WORDS:
        opt_out, key = False, "opted_in"
    else:
        return None
    if ctx.customer.marketing_opt_out != opt_out:
        ctx.customer.marketing_opt_out = opt_out
        ctx.session.add(AuditRecord(actor_type="customer", actor_id=ctx.customer.id,
                                    action="customer.marketing_opt_out" if opt_out else "customer.marketing_opt_in",
                                    target_type="customer", target_id=str(ctx.customer.id),
                                    details={"channel": ctx.inbound.channel}))
    return key


async def handle_marketing_opt_out(ctx: FlowContext) -> None:
    """Record the shopper's choice about promotional messages and confirm it (order updates still go out)."""
    key = record_marketing_choice(ctx)
    if key is None:
        return
    ctx.done = True
    settle_language(ctx)  # "відписатися" after English is answered in Ukrainian, as the other steps do
    ctx.reply(text(ctx, key))
