"""GDPR-style data tools: export everything about a customer, or erase them keeping only anonymous orders."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import String, cast, delete, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.merge import MERGE_ACTION
from core.customers.models import Notification
from core.customers.records import ERASED_ORDER_PREFIX
from core.customers.service import customer_card
from core.database import utcnow
from core.errors import ConflictError
from core.models import (
    AuditRecord,
    Conversation,
    ConversationNote,
    Customer,
    CustomerNote,
    CustomerPhone,
    Identity,
    Message,
    Order,
    OutboxItem,
)

REDACTED = "[erased]"


async def export_customer(session: AsyncSession, customer: Customer, *, actor_id: int | None) -> dict:
    """Everything stored about ``customer`` as one JSON-ready object, and an audit record of the export."""
    card = await customer_card(session, customer)
    messages = (await session.scalars(select(Message).where(Message.customer_id == customer.id)
                                      .order_by(Message.created_at, Message.id))).all()
    notes = (await session.scalars(select(CustomerNote).where(CustomerNote.customer_id == customer.id))).all()
    notifications = (await session.scalars(select(Notification).where(Notification.customer_id == customer.id)
                                           .order_by(Notification.id))).all()
    audit = (await session.scalars(select(AuditRecord).where(
        AuditRecord.target_type == "customer", AuditRecord.target_id == str(customer.id)).order_by(AuditRecord.id)
    )).all()
    session.add(AuditRecord(actor_type="staff", actor_id=actor_id, action="customer.export", target_type="customer",
                            target_id=str(customer.id)))
    await session.flush()
    return {
        "customer": {**card, "preferred_language": customer.preferred_language,
                     "created_at": customer.created_at.isoformat()},
        "messages": [{"id": m.id, "conversation_id": m.conversation_id, "direction": m.direction, "author": m.author,
                      "channel": m.channel, "kind": m.kind, "text": m.text, "payload": m.payload,
                      "delivery_status": m.delivery_status, "created_at": m.created_at.isoformat()}
                     for m in messages],
        "notes": [{"id": n.id, "text": n.text, "created_at": n.created_at.isoformat()} for n in notes],
        "notifications": [{"id": n.id, "template": n.template, "language": n.language, "text": n.text,
                           "created_at": n.created_at.isoformat()} for n in notifications],
        "audit": [{"id": a.id, "action": a.action, "actor_type": a.actor_type, "actor_id": a.actor_id,
                   "details": a.details, "created_at": a.created_at.isoformat()} for a in audit],
    }


async def erase_customer(session: AsyncSession, customer: Customer, *, actor_id: int | None) -> AuditRecord:
    """Erase a customer's personal data; orders stay, anonymous, but count towards no figures.

    Messages are redacted (text and payload, and their outbox copies; unsent ones are dropped),
    identities, phones and notes are deleted, the name, e-mails, tags and shop id are cleared,
    orders lose their tracking numbers and items, and their numbers become ``[erased] <order id>``:
    the shop's number would name the person again in the shop's own records, and it stays the
    shop's to use (its next import or push of that customer creates the order anew, for whoever
    then holds it). The erased record's lifetime value, segment and VIP flag are cleared, and its
    orders are left out of every figure (:func:`core.customers.figures.order_summaries`): the shop,
    which still has the person, pushes them again as a new record with the same orders, which would
    otherwise count twice. Records merged into this customer are erased with it.

    Raises:
        ConflictError: already erased.
    """
    if customer.erased_at is not None:
        raise ConflictError(f"customer {customer.id} is already erased")
    merged = list((await session.scalars(select(Customer.id).where(Customer.merged_into_id == customer.id))).all())
    ids = [customer.id, *merged]
    counts = {}
    result = await session.execute(update(Message).where(Message.customer_id.in_(ids))
                                   .values(text=REDACTED, payload={}))
    counts["messages_redacted"] = result.rowcount or 0
    # Copies of the texts wait in the outbox too; what is not sent yet never will be.
    their_messages = select(Message.id).where(Message.customer_id.in_(ids))
    await session.execute(update(OutboxItem).where(OutboxItem.message_id.in_(their_messages))
                          .values(payload={"text": REDACTED}))
    await session.execute(update(OutboxItem).where(OutboxItem.message_id.in_(their_messages),
                                                   OutboxItem.status.in_(("pending", "sending")))
                          .values(status="dead", last_error="customer erased"))
    for name, model in (("identities", Identity), ("phones", CustomerPhone), ("notes", CustomerNote)):
        result = await session.execute(delete(model).where(model.customer_id.in_(ids)))
        counts[name] = result.rowcount or 0
    conversation_ids = select(Conversation.id).where(Conversation.customer_id.in_(ids))
    await session.execute(delete(ConversationNote).where(ConversationNote.conversation_id.in_(conversation_ids)))
    await session.execute(update(Order).where(Order.customer_id.in_(ids)).values(
        tracking=None, items=[], number=literal(ERASED_ORDER_PREFIX) + cast(Order.id, String)))
    await session.execute(update(Notification).where(Notification.customer_id.in_(ids))
                          .values(params={}, text=REDACTED))
    now = utcnow()
    await _redact_merge_records(session, ids)
    for erased in (await session.scalars(select(Customer).where(Customer.id.in_(ids)))).all():
        erased.name, erased.emails, erased.tags, erased.external_id = None, [], [], None
        erased.preferred_language, erased.erased_at = None, now
        # No figures either: the shop pushes the person again as a new record holding the same orders.
        erased.lifetime_value, erased.rfm_segment, erased.vip = Decimal("0"), None, False
    record = AuditRecord(actor_type="staff", actor_id=actor_id, action="customer.erase", target_type="customer",
                         target_id=str(customer.id), details={**counts, "merged_customers": merged})
    session.add(record)
    await session.flush()
    await session.refresh(customer, ["identities", "phones"])
    return record


async def _redact_merge_records(session: AsyncSession, customer_ids: list[int]) -> None:
    # Merge records keep the survivor's former name and e-mails for unmerge; an erased person's go too.
    records = (await session.scalars(select(AuditRecord).where(
        AuditRecord.action == MERGE_ACTION, AuditRecord.target_type == "customer",
        AuditRecord.target_id.in_([str(i) for i in customer_ids]) | AuditRecord.details["into"].as_integer().in_(
            customer_ids)))).all()
    for record in records:
        record.details = {key: value for key, value in record.details.items() if key != "target_before"}
