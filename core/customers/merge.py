"""Merging two customer records that are one person, and undoing it from the audit record.

A merge moves identities, phones, orders, conversations (with their messages), notes and
notifications to the surviving customer and marks the other ``merged_into_id``. The audit record
lists exactly what moved and what changed on the survivor, which is what unmerge puts back.

Only rows the survivor still holds go back. When the survivor has itself been merged since (A into
B, then B into C), A's unmerge is refused (409) until B's is undone: B's merge moved what A had
brought along as B's, so undoing A first would find none of it on B, and B's unmerge would then hand
A's identities to B while A stands apart with nothing.

Unmerge also gives back what the merged-away person did while merged (:mod:`core.customers.after_merge`),
and nothing of the survivor's own:

- Messages go with the person whose chat they came from or went to: the merged-away identities'
  messages written into the survivor's conversations (and the bot's, agents' and notifications'
  replies to those chats) go back, the survivor's own messages written into a conversation that goes
  back stay. Messages never leave their conversation (that would tear a thread apart); what moves is
  ``Message.customer_id``, which is what the customer's cross-channel timeline (the console's
  messages view, the export) is made of. So a conversation can hold a few messages of the other
  person, shown on that person's timeline instead. (A conversation the merge's join closed and the
  unmerge reopens takes back its person's messages written into the other one since the join:
  :func:`handoff.joining.reopen_after_unmerge`, called after this.)
- Conversations the merge moved go back; conversations opened after the merge go to the person
  whose chat their first message came from or went to. A conversation that would now answer the
  other person's chat is pointed back at its owner's (its owner's latest chat in it), so an agent's
  reply never reaches the wrong person.
- Notifications sent after the merge go back when their latest attempt was addressed to one of the
  merged-away identities.
- Orders pushed after the merge go back when the shop account goes back (the survivor had no shop id
  before, so every order pushed since is that account's); the merge records the last order id to
  tell them apart. Merges audited before that keep such orders on the survivor.
- Notes written on the survivor after the merge and phones verified after it stay: nothing says
  whose they are.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.after_merge import give_back
from core.customers.models import Notification
from core.errors import ConflictError, NotFoundError
from core.models import AuditRecord, Conversation, Customer, CustomerNote, CustomerPhone, Identity, Message, Order

MERGE_ACTION = "customer.merge"
UNMERGE_ACTION = "customer.unmerge"
# Rows that simply change owner, by model, under the key they are recorded with.
MOVED_MODELS = {"identities": Identity, "orders": Order, "conversations": Conversation,
                "notes": CustomerNote, "notifications": Notification}


async def merge(session: AsyncSession, *, source: Customer, target: Customer, reason: str,
                actor_type: str, actor_id: int | None) -> AuditRecord:
    """Merge ``source`` into ``target`` (the survivor) and audit it.

    Args:
        reason: why they are one person: "verified_phone", "shop_account", "manual".
        actor_type: "staff", "customer" or "system" (who caused the merge).

    Raises:
        ConflictError: same customer, already merged, erased, or two different shop accounts.
    """
    _check_mergeable(source, target)
    moved: dict[str, list[int]] = {}
    for key, model in MOVED_MODELS.items():
        ids = list((await session.scalars(select(model.id).where(model.customer_id == source.id))).all())
        if ids:
            await session.execute(update(model).where(model.id.in_(ids)).values(customer_id=target.id))
        moved[key] = ids
    conversation_ids = moved["conversations"]
    if conversation_ids:
        await session.execute(update(Message).where(Message.conversation_id.in_(conversation_ids))
                              .values(customer_id=target.id))
    phones = await _merge_phones(session, source, target)
    target_before = {"external_id": target.external_id, "name": target.name, "emails": list(target.emails or []),
                     "tags": list(target.tags or []), "marketing_opt_out": target.marketing_opt_out,
                     "preferred_language": target.preferred_language}
    if target.external_id is None and source.external_id is not None:
        # The unique shop id must leave the source before the survivor can hold it.
        target_external_id, source.external_id = source.external_id, None
        await session.flush()
        target.external_id = target_external_id
    target.name = target.name or source.name
    target.preferred_language = target.preferred_language or source.preferred_language
    target.emails = list(dict.fromkeys([*(target.emails or []), *(source.emails or [])]))
    target.tags = list(dict.fromkeys([*(target.tags or []), *(source.tags or [])]))
    target.marketing_opt_out = target.marketing_opt_out or source.marketing_opt_out
    source.merged_into_id = target.id
    record = AuditRecord(
        actor_type=actor_type, actor_id=actor_id, action=MERGE_ACTION, target_type="customer",
        target_id=str(source.id),
        details={"into": target.id, "reason": reason, "moved": moved, "phones": phones,
                 "target_before": target_before, "last_order_id": await session.scalar(select(func.max(Order.id)))},
    )
    session.add(record)
    await session.flush()
    await _refresh(session, source, target)
    return record


def _check_mergeable(source: Customer, target: Customer) -> None:
    if source.id == target.id:
        raise ConflictError("a customer cannot be merged into itself")
    for customer in (source, target):
        if customer.merged_into_id is not None:
            raise ConflictError(f"customer {customer.id} is already merged into {customer.merged_into_id}")
        if customer.erased_at is not None:
            raise ConflictError(f"customer {customer.id} was erased")
    if source.external_id and target.external_id and source.external_id != target.external_id:
        raise ConflictError(
            f"customers {source.id} and {target.id} are different shop accounts "
            f"({source.external_id}, {target.external_id}); they are not merged"
        )


async def _merge_phones(session: AsyncSession, source: Customer, target: Customer) -> dict:
    target_phones = {p.phone: p for p in (await session.scalars(
        select(CustomerPhone).where(CustomerPhone.customer_id == target.id))).all()}
    moved, dropped, verified_on_target = [], [], []
    for phone in (await session.scalars(select(CustomerPhone).where(CustomerPhone.customer_id == source.id))).all():
        same = target_phones.get(phone.phone)
        if same is None:
            moved.append(phone.id)
            continue
        # The survivor already has this number: keep one row, carrying the stronger "verified".
        if phone.verified and not same.verified:
            same.verified = True
            verified_on_target.append(same.id)
        dropped.append({"phone": phone.phone, "verified": phone.verified})
        await session.delete(phone)
    if moved:
        await session.execute(update(CustomerPhone).where(CustomerPhone.id.in_(moved)).values(customer_id=target.id))
    await session.flush()
    return {"moved": moved, "dropped": dropped, "verified_on_target": verified_on_target}


async def unmerge(session: AsyncSession, *, customer: Customer, actor_type: str, actor_id: int | None
                  ) -> AuditRecord:
    """Undo the merge of ``customer`` (the merged-away one) from its audit record, and audit that.

    What moved goes back, with what the source's identities produced since (see the module); the
    survivor loses the e-mails, tags, shop id and name it gained from the merge.

    Raises:
        ConflictError: the customer is not merged, or the survivor was erased or merged into another
            customer since (that merge is undone first).
        NotFoundError: the merge has no audit record.
    """
    if customer.merged_into_id is None:
        raise ConflictError(f"customer {customer.id} is not merged")
    merge_record = await session.scalar(
        select(AuditRecord).where(AuditRecord.action == MERGE_ACTION, AuditRecord.target_type == "customer",
                                  AuditRecord.target_id == str(customer.id))
        .order_by(AuditRecord.id.desc()).limit(1)
    )
    if merge_record is None or merge_record.details.get("into") != customer.merged_into_id:
        raise NotFoundError(f"no audit record of the merge of customer {customer.id}")
    target = await session.get(Customer, customer.merged_into_id)
    if target.erased_at is not None:
        raise ConflictError(f"customer {target.id} was erased; the merge cannot be undone")
    if target.merged_into_id is not None:
        # What this merge moved went on with the survivor's own merge, and that merge's record lists it
        # as the survivor's: only undoing that one first puts it where this record can take it back from.
        raise ConflictError(f"customer {target.id}, which customer {customer.id} was merged into, has since been "
                            f"merged into customer {target.merged_into_id}; unmerge customer {target.id} first")
    details = merge_record.details
    for key, model in MOVED_MODELS.items():
        ids = details["moved"].get(key) or []
        if ids:
            # Only from the survivor: a row that has left it since is someone else's now.
            await session.execute(update(model).where(model.id.in_(ids), model.customer_id == target.id)
                                  .values(customer_id=customer.id))
    shop_account_returns = details["target_before"]["external_id"] is None and target.external_id is not None
    after = await give_back(session, source_id=customer.id, target_id=target.id,
                            identity_ids=details["moved"].get("identities") or [],
                            recorded_conversation_ids=details["moved"].get("conversations") or [],
                            orders_after=details.get("last_order_id") if shop_account_returns else None)
    await _unmerge_phones(session, details["phones"], customer, target)
    _restore_target(details["target_before"], customer, target)
    if shop_account_returns:
        source_external_id, target.external_id = target.external_id, None
        await session.flush()
        customer.external_id = source_external_id
    customer.merged_into_id = None
    record = AuditRecord(actor_type=actor_type, actor_id=actor_id, action=UNMERGE_ACTION, target_type="customer",
                         target_id=str(customer.id),
                         details={"from": target.id, "merge_audit_id": merge_record.id, "after_merge": after})
    session.add(record)
    await session.flush()
    await _refresh(session, customer, target)
    return record


async def _unmerge_phones(session: AsyncSession, phones: dict, customer: Customer, target: Customer) -> None:
    if phones["moved"]:
        await session.execute(update(CustomerPhone).where(CustomerPhone.id.in_(phones["moved"]),
                                                          CustomerPhone.customer_id == target.id)
                              .values(customer_id=customer.id))
    for dropped in phones["dropped"]:
        session.add(CustomerPhone(customer_id=customer.id, phone=dropped["phone"], verified=dropped["verified"]))
    if phones["verified_on_target"]:
        await session.execute(update(CustomerPhone).where(CustomerPhone.id.in_(phones["verified_on_target"]),
                                                          CustomerPhone.customer_id == target.id)
                              .values(verified=False))
    await session.flush()


def _restore_target(before: dict, customer: Customer, target: Customer) -> None:
    # Only what the merge added is taken away, so later edits to the survivor are kept.
    gained_emails = [e for e in target.emails or [] if e not in before["emails"]]
    gained_tags = [t for t in target.tags or [] if t not in before["tags"]]
    customer.emails = list(dict.fromkeys([*(customer.emails or []), *gained_emails]))
    target.emails = [e for e in target.emails or [] if e not in gained_emails]
    target.tags = [t for t in target.tags or [] if t not in gained_tags]
    if before["name"] is None and target.name == customer.name:
        target.name = None
    if not before["marketing_opt_out"] and target.marketing_opt_out and customer.marketing_opt_out:
        target.marketing_opt_out = False
    if before["preferred_language"] is None:
        target.preferred_language = None


async def _refresh(session: AsyncSession, *customers: Customer) -> None:
    for customer in customers:
        await session.refresh(customer)
        await session.refresh(customer, ["identities", "phones"])
