"""A shop account's phone list decides which messenger shoppers it includes through their verified phone.

When the shop creates or updates an account with a phone a shopper has already verified in a
messenger (their own number, vouched by the channel), that shopper is the account's: their record is
merged into it as if they had shared the phone afterwards (:func:`core.customers.linking.merge_by_phone`,
reason ``verified_phone``). A phone on more than one live shop account (a family sharing a number)
links the shopper to none of them, as in :func:`core.customers.linking.verify_phone`.

When the shop removes a phone from an account, a shopper joined to it only through that verified
phone is split off again: that merge is undone (audited with reason ``shop_removed_phone``), so a
mistyped phone does not keep handing a stranger the account's orders and notifications.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.linking import VERIFIED_PHONE, merge_by_phone
from core.customers.merge import MERGE_ACTION, unmerge
from core.models import AuditRecord, Customer, CustomerPhone

SHOP_REMOVED_PHONE = "shop_removed_phone"

# Each live customer holding a phone: filtered by phone, the rows :func:`link_verified_shoppers` decides on.
PHONE_HOLDERS = (
    select(CustomerPhone.phone, CustomerPhone.customer_id, CustomerPhone.verified, Customer.external_id)
    .join(Customer, Customer.id == CustomerPhone.customer_id)
    .where(Customer.merged_into_id.is_(None), Customer.erased_at.is_(None))
)


async def link_verified_shoppers(session: AsyncSession, holders: Iterable[Row]) -> list[dict]:
    """Merge each shopper without a shop account into the one shop account holding a phone they verified.

    ``holders`` are :data:`PHONE_HOLDERS` rows of the phones the shop has just written. A shopper whose
    verified phones lead to more than one shop account is left as they are.

    Returns:
        ``{"customer_id", "into", "phone", "audit_id"}`` for each shopper merged (``audit_id``: the merge's
        audit record).
    """
    accounts_of_phone: dict[str, set[int]] = defaultdict(set)
    phones_of_shopper: dict[int, set[str]] = defaultdict(set)
    for row in holders:
        if row.external_id is not None:
            accounts_of_phone[row.phone].add(row.customer_id)
        elif row.verified:
            phones_of_shopper[row.customer_id].add(row.phone)
    linked = []
    for shopper_id, phones in sorted(phones_of_shopper.items()):
        accounts = set().union(*(accounts_of_phone[phone] for phone in phones))
        if len(accounts) != 1:
            continue
        account_id = accounts.pop()
        phone = min(phone for phone in phones if account_id in accounts_of_phone[phone])
        record = await merge_by_phone(session, source=await _fresh(session, shopper_id),
                                      target=await _fresh(session, account_id), phone=phone, actor_type="system",
                                      actor_id=None)
        linked.append({"customer_id": shopper_id, "into": account_id, "phone": phone, "audit_id": record.id})
    return linked


async def split_off_removed_phones(session: AsyncSession, account_id: int, removed: set[str],
                                   kept: Iterable[str]) -> list[dict]:
    """Undo the ``verified_phone`` merges into the shop account ``account_id`` that came through a
    phone of ``removed`` (verified phones the shop no longer lists) and through none of ``kept``.

    A shopper who also verified a phone the shop still lists, or who was joined by the shop's link or
    by staff, stays.

    Returns:
        ``{"customer_id", "from", "phone", "audit_id"}`` for each shopper split off (``audit_id``: the
        unmerge's audit record).
    """
    split = []
    for source in (await session.scalars(select(Customer).where(Customer.merged_into_id == account_id)
                                          .order_by(Customer.id))).all():
        record = await session.scalar(
            select(AuditRecord).where(AuditRecord.action == MERGE_ACTION, AuditRecord.target_type == "customer",
                                      AuditRecord.target_id == str(source.id))
            .order_by(AuditRecord.id.desc()).limit(1))
        if record is None or record.details.get("reason") != VERIFIED_PHONE:
            continue
        brought = await _verified_phones_brought(session, record.details)
        if not brought & removed or brought & set(kept):
            continue
        phone = min(brought & removed)
        undone = await unmerge(session, customer=source, actor_type="system", actor_id=None)
        undone.details = {**undone.details, "reason": SHOP_REMOVED_PHONE, "phone": phone}
        split.append({"customer_id": source.id, "from": account_id, "phone": phone, "audit_id": undone.id})
    return split


async def _verified_phones_brought(session: AsyncSession, details: dict) -> set[str]:
    """The verified phones a merge brought to the survivor (moved rows, or rows it already had)."""
    phones = details["phones"]
    brought = {dropped["phone"] for dropped in phones["dropped"] if dropped["verified"]}
    if phones["moved"]:
        brought |= set((await session.scalars(select(CustomerPhone.phone).where(
            CustomerPhone.id.in_(phones["moved"]), CustomerPhone.verified.is_(True)))).all())
    return brought


async def _fresh(session: AsyncSession, customer_id: int) -> Customer:
    # The bulk statements wrote around the ORM: a copy already in the session may be out of date.
    return await session.scalar(select(Customer).where(Customer.id == customer_id)
                                .execution_options(populate_existing=True))
