"""Order self-service: "where is my order?" answered with the real status, only to its owner.

A shopper is identified when their customer record has a verified phone or a shop account (both
are proven: a messenger-vouched own number, or a signed link from the shop); a phone on several shop
accounts (a family's) identifies nobody. An identified shopper sees their own orders; anyone else must
share their phone, or give an order number and the phone it was placed with, in one message or one
after the other (:mod:`bots.steps.order_pieces`). Failed number+phone guesses are counted and capped.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from bots.inbound import Button, FlowContext
from bots.steps.customer_texts import amount_text, status_label, text
from bots.steps.escalation import needs_a_person
from bots.steps.language import settle_language, shopper_language
from bots.steps.order_pieces import Pieces, pending_pieces, reads_as_pieces
from core.customers.linking import shop_accounts_with_phone
from core.customers.phones import international_without_plus, split_phones
from core.customers.service import orders_of, surviving
from core.database import utcnow
from core.models import AuditRecord, Customer, CustomerPhone, Order

ORDER_CALLBACK = "order:"
RECENT_ORDERS = 5
# Wrong order-number + phone pairs allowed per shopper per hour, against guessing.
MAX_FAILED_LOOKUPS = 5
FAILED_LOOKUP = "order.lookup_failed"

ORDER_WORDS = re.compile(r"замовлен|заказ|посилк|посылк|\border|\bparcel|\bpackage|\bттн\b", re.IGNORECASE)
STATUS_WORDS = re.compile(
    r"\b(де|где|where|wheres|коли|когда|when|статус|status|track\w*|відстеж\w*|отслед\w*|прийде|придет|приде|"
    r"arrive\w*|shipped|відправ\w*|отправ\w*|ттн|номер|"
    # "что с моим заказом?", "шо там з посилкою", "any news on my order" (found by QA)
    r"що з|шо з|что с|що там|шо там|что там|news|новин\w*|новост\w*)\b",
    re.IGNORECASE,
)
# Something else to do with the order: a return, refund, exchange, cancellation or a fault. The order's
# status does not answer that; the knowledge base and the hand-off rules (returns are complex topics
# for VIPs) do (found by QA: "хочу повернути замовлення 20002" got only the status).
OTHER_ORDER_MATTERS = re.compile(
    r"поверн|вернут|верни|возврат|обмін|обмен|обміня|скасу|отмен|refund|\breturn|exchange|cancel|"
    r"брак|дефект|пошкод|поврежд|зламан|сломан|broken|damaged|faulty",
    re.IGNORECASE,
)
ORDER_NUMBER = re.compile(r"(?<![\w-])(?:#|№)?\s?([A-Za-z]{1,4}-?\d{3,12}|\d{3,12})(?![\w-])")
# Digits alone as long as a phone with its country code (up to 15, E.164's most).
DIGIT_RUN = re.compile(r"(?<![\w+-])\d{11,15}(?![\w-])")
BARE_ORDER_NUMBER = re.compile(r"^\s*(?:#|№)?\s?([A-Za-z]{1,4}-?\d{3,12}|\d{3,12})\s*$")


def order_numbers(text_without_phones: str) -> list[str]:
    """Order-number-like tokens in the text (``10234``, ``#10234``, ``A-1001``)."""
    return list(dict.fromkeys(match.upper() for match in ORDER_NUMBER.findall(text_without_phones)))


def phones_and_numbers(message: str, region: str, *,
                       phone_asked_for: bool = False) -> tuple[list[str], list[str], str]:
    """The phones (E.164) and order numbers in ``message``, and the message without the phones.

    A foreign phone written without "+" (``12345 48601234567``, found by QA) is no phone of the shop's
    region, and reads as an order number. It is taken for a phone when it is a valid number with "+" and
    the message names another order number beside it, or when it comes alone (no other phone or number)
    and ``phone_asked_for``: the bot has just asked for the phone of an order number already given.
    Otherwise a long number alone stays an order number, for shops whose numbers are that long.
    """
    phones, rest = split_phones(message, region)
    numbers = order_numbers(rest)
    foreign = {run: phone for run in DIGIT_RUN.findall(rest) if (phone := international_without_plus(run))}
    alone = phone_asked_for and not phones and len(foreign) == 1 and set(numbers) <= set(foreign)
    if foreign and (alone or any(number not in foreign for number in numbers)):
        numbers = [number for number in numbers if number not in foreign]
        phones += [phone for phone in dict.fromkeys(foreign.values()) if phone not in phones]
    return phones, numbers, rest


def is_order_question(message: str, phones: list[str], numbers: list[str]) -> bool:
    """Whether the shopper asks about an order (not how to place one, which the knowledge base answers)."""
    if BARE_ORDER_NUMBER.match(message):
        return True
    if OTHER_ORDER_MATTERS.search(message):
        return False
    if ORDER_WORDS.search(message) and (STATUS_WORDS.search(message) or numbers):
        return True
    return bool(numbers and phones)


# Messengers whose keyboards can share the shopper's own, verified phone number.
PHONE_SHARING_CHANNELS = frozenset({"telegram", "viber"})


def contact_keyboard(ctx: FlowContext) -> dict:
    """Reply options asking the messenger to show its share-my-phone button (none where there is none)."""
    if ctx.inbound.channel not in PHONE_SHARING_CHANNELS:
        return {}
    return {"keyboard": "contact", "buttons": [[Button(text(ctx, "share_phone_button"), "share_phone")]]}


def ask_for_proof(ctx: FlowContext, key: str, pieces: Pieces = Pieces()) -> None:
    """Reply ``key`` asking for proof of identity: the share-phone button where the channel has one.

    The reply keeps ``pieces``, the order numbers and phones given so far, for the shopper's next message.
    """
    if ctx.inbound.channel not in PHONE_SHARING_CHANNELS:
        key += "_no_phone_button"
    ctx.reply(text(ctx, key), meta=pieces.meta(), **contact_keyboard(ctx))


async def is_identified(ctx: FlowContext) -> bool:
    """Whether the shopper has proven who they are: a shop account, or a verified phone.

    A verified phone on several shop accounts (a family sharing a number) does not count: it links the
    shopper to none of them (:func:`core.customers.linking.verify_phone`), so they have no orders of their
    own, and like anyone else they prove an order with its number and phone (found by QA: they were told
    they had no orders).
    """
    if ctx.customer.external_id:
        return True
    verified = (await ctx.session.scalars(select(CustomerPhone.phone).where(
        CustomerPhone.customer_id == ctx.customer.id, CustomerPhone.verified.is_(True)))).all()
    for phone in verified:
        if await shop_accounts_with_phone(ctx.session, phone) <= 1:
            return True
    return False


def describe_order(ctx: FlowContext, order: Order) -> str:
    """An order's status in the shopper's language, with tracking when there is one."""
    language = shopper_language(ctx)
    words = text(ctx, "order_status", number=order.number, date=order.created_at.strftime("%d.%m.%Y"),
                 status=status_label(order.status, language),
                 total=amount_text(order.total, order.currency, language))
    if order.tracking:
        words += " " + text(ctx, "order_tracking", tracking=order.tracking)
    return words


async def reply_with_recent_orders(ctx: FlowContext, *, announce_empty: bool = True) -> None:
    """One order: its status; several: a button per recent order; none: say so (when asked)."""
    orders = await orders_of(ctx.session, ctx.customer.id, limit=RECENT_ORDERS)
    if len(orders) == 1:
        ctx.reply(describe_order(ctx, orders[0]), meta={"order_numbers": [orders[0].number]})
    elif orders:
        language = shopper_language(ctx)
        ctx.reply(text(ctx, "which_order"), keyboard="inline", meta={"order_numbers": [o.number for o in orders]},
                  buttons=[[Button(f"№{o.number} · {status_label(o.status, language)}", f"{ORDER_CALLBACK}{o.number}")]
                           for o in orders])
    elif announce_empty:
        ctx.reply(text(ctx, "no_orders"))


async def answer_order_questions(ctx: FlowContext) -> None:
    """Answer order questions and order buttons; everything else goes on to the next steps.

    An order question that also asks for a person, is angry or touches a sensitive topic goes on too
    (:func:`bots.steps.escalation.needs_a_person`): the shopper wants someone to look, not the status.
    """
    if ctx.conversation.status != "bot":
        return
    if ctx.inbound.kind == "callback":
        data = str((ctx.inbound.payload or {}).get("data") or "")
        if data.startswith(ORDER_CALLBACK):
            ctx.done = True
            settle_language(ctx)
            if await is_identified(ctx):
                await _answer_known_customer(ctx, [data.removeprefix(ORDER_CALLBACK).upper()], [])
            else:
                ask_for_proof(ctx, "ask_identity")
        return
    if not ctx.inbound.reads_as_text:
        return
    phones, numbers, rest = phones_and_numbers(ctx.inbound.text, ctx.settings.phone_region)
    asked = is_order_question(ctx.inbound.text, phones, numbers)
    pending = await _pieces_asked_for(ctx, phones, numbers, rest, asked=asked)
    if pending is not None and pending.numbers and not pending.phones:
        # Asked for the phone of a number already given: a lone "48601234567" is that phone.
        phones, numbers, _ = phones_and_numbers(ctx.inbound.text, ctx.settings.phone_region, phone_asked_for=True)
    if not (asked or pending is not None) or needs_a_person(ctx):
        return
    ctx.done = True
    settle_language(ctx)
    pieces = (pending or Pieces()).completed_with(numbers, phones)
    # The phone an identified shopper was asked for (their order is on another phone) completes the
    # pair like anyone's; every other question of theirs is about their own orders.
    if await is_identified(ctx) and not (pending is not None and pieces.numbers and pieces.phones):
        await _answer_known_customer(ctx, numbers, phones)
        return
    if pieces.numbers and pieces.phones:
        await _answer_by_number_and_phone(ctx, list(pieces.numbers), list(pieces.phones))
    elif pieces.numbers:
        ask_for_proof(ctx, "ask_order_phone", pieces)
    elif pieces.phones:
        ask_for_proof(ctx, "ask_order_number", pieces)
    else:
        ask_for_proof(ctx, "ask_identity")


async def _pieces_asked_for(ctx: FlowContext, phones: list[str], numbers: list[str], rest: str, *,
                            asked: bool) -> Pieces | None:
    """The pieces remembered for this message when it brings a piece the bot asked for; else None.

    A message with a phone or an order number answers the bot's request for proof when it is an order
    question or little besides the pieces ("+380501234567", "мій телефон 050 123 45 67"); a return or a
    complaint that names an order is not, and neither is a longer message that merely contains a number.
    """
    if not (phones or numbers) or (phones and numbers):
        return None  # nothing to complete, or the message is complete on its own
    if not asked and (OTHER_ORDER_MATTERS.search(ctx.inbound.text)
                      or not reads_as_pieces(ORDER_NUMBER.sub(" ", rest))):
        return None
    return await pending_pieces(ctx)


async def _answer_known_customer(ctx: FlowContext, numbers: list[str], phones: list[str]) -> None:
    """An identified shopper's own orders; a number not among them is proven with its phone like anyone's.

    Found by QA: a shopper who had shared their phone asked about an order placed with another phone (a
    spouse's, a guest checkout) and was only told it was not on their account, with no way to prove it.
    """
    if not numbers:
        await reply_with_recent_orders(ctx)
        return
    own = (await ctx.session.scalars(select(Order).where(Order.customer_id == ctx.customer.id,
                                                         func.upper(Order.number).in_(numbers)))).all()
    for order in own:
        ctx.reply(describe_order(ctx, order), meta={"order_numbers": [order.number]})
    others = [number for number in numbers if number not in {order.number.upper() for order in own}]
    if not others:
        return
    if phones:
        await _answer_by_number_and_phone(ctx, others, phones)
    else:
        # The same words whether the order exists for someone else or not at all: nothing leaks.
        ctx.reply(text(ctx, "order_not_on_account", number=", ".join(others)), meta=Pieces(tuple(others)).meta())


async def _answer_by_number_and_phone(ctx: FlowContext, numbers: list[str], phones: list[str]) -> None:
    since = utcnow() - timedelta(hours=1)
    failures = await ctx.session.scalar(select(func.count(AuditRecord.id)).where(
        AuditRecord.action == FAILED_LOOKUP, AuditRecord.target_type == "customer",
        AuditRecord.target_id == str(ctx.customer.id), AuditRecord.created_at >= since))
    if failures >= MAX_FAILED_LOOKUPS:
        ask_for_proof(ctx, "too_many_attempts")
        return
    matches = []
    for order in (await ctx.session.scalars(select(Order).where(func.upper(Order.number).in_(numbers)))).all():
        owner = await surviving(ctx.session, await ctx.session.get(Customer, order.customer_id))
        owner_phones = set((await ctx.session.scalars(
            select(CustomerPhone.phone).where(CustomerPhone.customer_id == owner.id))).all())
        if owner_phones & set(phones):
            matches.append(order)
    if not matches:
        ctx.session.add(AuditRecord(actor_type="customer", actor_id=ctx.customer.id, action=FAILED_LOOKUP,
                                    target_type="customer", target_id=str(ctx.customer.id),
                                    details={"numbers": numbers[:5]}))
        ask_for_proof(ctx, "order_not_matched")
        return
    for order in matches:
        ctx.reply(describe_order(ctx, order), meta={"order_numbers": [order.number]})
