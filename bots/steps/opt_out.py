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


async def handle_marketing_opt_out(ctx: FlowContext) -> None:
    """Record the shopper's choice about promotional messages and confirm it (order updates still go out)."""
    if ctx.inbound.kind != "text":
        return
    command = _command(ctx.inbound.text)
    if command in OPT_OUT_WORDS:
        opt_out, key = True, "opted_out"
    elif command in OPT_IN_WORDS:
        opt_out, key = False, "opted_in"
    else:
        return
    ctx.done = True
    settle_language(ctx)  # "відписатися" after English is answered in Ukrainian, as the other steps do
    if ctx.customer.marketing_opt_out != opt_out:
        ctx.customer.marketing_opt_out = opt_out
        ctx.session.add(AuditRecord(actor_type="customer", actor_id=ctx.customer.id,
                                    action="customer.marketing_opt_out" if opt_out else "customer.marketing_opt_in",
                                    target_type="customer", target_id=str(ctx.customer.id),
                                    details={"channel": ctx.inbound.channel}))
    ctx.reply(text(ctx, key))
