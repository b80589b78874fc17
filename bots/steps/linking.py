"""Linking the shopper's messenger to their customer record: shared own phone, or a signed shop link."""

from __future__ import annotations

from sqlalchemy import select

from bots.inbound import FlowContext
from bots.steps.customer_texts import text
from bots.steps.handoff import handoff_config
from bots.steps.language import settle_language, shopper_language
from bots.steps.orders import contact_keyboard, reply_with_recent_orders
from bots.steps.outcomes import apply_outcome
from core.customers.linking import (
    link_account,
    link_token_taken,
    looks_like_link_token,
    read_link_token,
    remember_link_token,
    shop_accounts_with_phone,
    verify_phone,
)
from core.customers.phones import InvalidPhone, normalise_phone
from core.customers.service import surviving
from core.errors import ConflictError
from core.models import AuditRecord, Customer, InstanceValue
from handoff.joining import join_held_conversations
from handoff.promotion import promote_if_vip
from handoff.state import Outcome

# What the stored message keeps of a shop link's token (see _forget_token).
SHOP_LINK = "shop-link"


async def link_shared_contact(ctx: FlowContext) -> None:
    """A contact the channel vouches is the shopper's own verifies that phone and joins their records.

    A shopper on Telegram and on Viber who share the same own number become one customer, so
    their timeline spans both messengers; then they see their orders straight away.
    """
    if ctx.inbound.kind != "contact":
        return
    ctx.done = True
    settle_language(ctx)  # before the records join: the shopper here is answered in their own language
    if not ctx.inbound.phone:
        # Someone else's contact card: it proves nothing about the sender.
        ctx.reply(text(ctx, "not_own_contact"), **contact_keyboard(ctx))
        return
    try:
        phone = normalise_phone(ctx.inbound.phone, ctx.settings.phone_region)
    except InvalidPhone:
        ctx.reply(text(ctx, "phone_unreadable"), **contact_keyboard(ctx))
        return
    before = ctx.customer.id
    ctx.customer = await verify_phone(ctx.session, ctx.customer, phone)
    ctx.session.add(AuditRecord(actor_type="customer", actor_id=before, action="customer.phone_verified",
                                target_type="customer", target_id=str(ctx.customer.id),
                                details={"channel": ctx.inbound.channel, "merged_from": before
                                         if before != ctx.customer.id else None}))
    line = await _go_on_where_people_answer(ctx)
    ctx.reply(text(ctx, "phone_verified", phone=phone))
    apply_outcome(ctx, line)
    if ctx.conversation.status != "bot":  # with an agent on the conversation, the agent answers
        return
    if not ctx.customer.external_id and await shop_accounts_with_phone(ctx.session, phone) > 1:
        # A family's shared number: which account's orders are this shopper's is not for the bot to guess.
        ctx.reply(text(ctx, "phone_on_several_accounts"))
        return
    await reply_with_recent_orders(ctx, announce_empty=False)


async def link_from_start(ctx: FlowContext) -> None:
    """``/start <token>`` (Telegram deep link) or a Viber context link from a shop e-mail links the account.

    Start payloads that are not link tokens (campaign tags, nothing) are left to later steps. A
    Viber chat just opened (``conversation_started``) accepts no reply, so the link happens silently.
    """
    payload = str((ctx.inbound.payload or {}).get("start") or "").strip()
    if ctx.inbound.kind != "start" or not looks_like_link_token(payload):
        return
    secret_key = ctx.settings.secret_key or await ctx.session.scalar(
        select(InstanceValue.value).where(InstanceValue.key == "secret_key"))
    customer_id = read_link_token(payload, secret_key or "", ttl_days=ctx.settings.link_token_ttl_days)
    account = await ctx.session.get(Customer, customer_id) if customer_id else None
    ctx.done = True
    _forget_token(ctx)
    settle_language(ctx)  # before the records join, as for a shared phone
    outcome, line = "link_invalid", Outcome()
    if account is not None and account.erased_at is None:
        outcome, line = await _link_to_account(ctx, payload, account)
    if not ctx.inbound.payload.get("conversation_started"):
        ctx.reply(text(ctx, outcome), **(contact_keyboard(ctx) if outcome in ("link_invalid", "link_used") else {}))
    apply_outcome(ctx, line)


async def _link_to_account(ctx: FlowContext, token: str, account: Customer) -> tuple[str, Outcome]:
    """Link the shopper to ``account`` by its genuine ``token``; returns the outcome's text key and the line's news."""
    if await link_token_taken(ctx.session, token, ctx.identity):
        return "link_used", Outcome()
    try:
        ctx.customer = await link_account(ctx.session, ctx.customer, await surviving(ctx.session, account))
    except ConflictError:
        # Not recorded: a shopper who could not use the link leaves it to its owner.
        return "link_refused", Outcome()
    await remember_link_token(ctx.session, token, ctx.identity)
    return "account_linked", await _go_on_where_people_answer(ctx)


async def _go_on_where_people_answer(ctx: FlowContext) -> Outcome:
    """Join the conversations people hold and move a VIP's to the VIP line; returns what the shopper hears
    about that line, for after the linking's own confirmation."""
    # Records just joined may bring along conversations that people hold (the shopper asked for a person
    # in each messenger): one goes on, on this messenger, and this message joins it (handoff.joining).
    outcome = Outcome()
    kept = await join_held_conversations(ctx.session, ctx.conversation, outcome=outcome)
    if kept.id != ctx.conversation.id:
        ctx.message.conversation_id = kept.id
        kept.language = ctx.conversation.language or kept.language  # the language written in here and now
        ctx.conversation = kept
    apply_outcome(ctx, outcome)
    # Now known to be a VIP, a shopper waiting among everyone else moves to the VIP line (handoff.promotion).
    line = Outcome()
    await promote_if_vip(ctx.session, ctx.conversation, ctx.customer, settings=ctx.settings,
                         config=handoff_config(ctx), language=shopper_language(ctx), outcome=line)
    return line


def _forget_token(ctx: FlowContext) -> None:
    # Until it is used or expires, the token links whoever holds it to the account: agents, exports and
    # logs of the stored message must not show it. That a shop link was opened is all they need.
    ctx.message.text = "/start"
    ctx.message.payload = {**(ctx.message.payload or {}), "start": SHOP_LINK}
