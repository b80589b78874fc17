"""What the conversations people hold undergo once two customer records are merged, or split again.

Whoever merges (staff, or the shop pushing or importing an account whose phone a shopper verified)
leaves the same follow-up: the held conversations of the one person are joined into one
(:mod:`handoff.joining`), a VIP's is moved to the VIP line (:mod:`handoff.promotion`), and what that
changed is kept in the merge's audit record (:mod:`handoff.kept`). Whoever splits them (staff's
unmerge, or the shop removing the phone) gives that back and reopens the joined conversations.
Figures are refreshed first: they decide who is a VIP.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import AuditRecord, Customer
from core.settings import Settings, pick_language
from handoff.config import HandoffConfig
from handoff.flows import send_notices
from handoff.joining import join_after_merge, reopen_after_unmerge
from handoff.kept import KEPT, held_state, merge_change, restore_after_unmerge
from handoff.promotion import promote_if_vip
from handoff.state import Outcome


async def after_merge(session: AsyncSession, record: AuditRecord, survivor: Customer, *, settings: Settings,
                      config: HandoffConfig, outcome: Outcome) -> None:
    """Join the survivor's held conversations, promote the one kept for a VIP, and note in ``record``
    (the merge's audit record) what that changed on it, for an unmerge."""
    held = await held_state(session, survivor.id)
    kept = await join_after_merge(session, survivor.id, outcome=outcome)
    if kept is None:
        return
    await promote_if_vip(session, kept, survivor, settings=settings, config=config,
                         language=pick_language(kept.language), outcome=outcome)
    await send_notices(session, kept, outcome)
    change = merge_change(held, kept)
    if change is not None:  # a new dict, so the JSON column is written
        record.details = {**record.details, KEPT: change}


async def after_unmerge(session: AsyncSession, record: AuditRecord, customer_ids: list[int], *,
                        settings: Settings, config: HandoffConfig, outcome: Outcome) -> None:
    """Give the conversation the merge kept its team and priority back and reopen the ones it joined
    (of ``customer_ids``, the two split); ``record`` (the unmerge's audit record) lists what was done."""
    merge_record = await session.get(AuditRecord, record.details["merge_audit_id"])
    # The kept conversation first: a reopened one is told its place in line behind it as it now stands.
    kept = await restore_after_unmerge(session, merge_record.details.get(KEPT), config=config, outcome=outcome)
    unjoined = await reopen_after_unmerge(session, customer_ids, config=config, settings=settings, outcome=outcome)
    # A new dict, so the JSON column is written.
    record.details = {**record.details, "reopened": unjoined.reopened, "not_reopened": unjoined.not_reopened,
                      "restored": kept.restored, "not_restored": kept.not_restored}


async def after_shop_write(session: AsyncSession, *, linked: list[dict], split_off: list[dict], settings: Settings,
                           config: HandoffConfig, outcome: Outcome) -> None:
    """The follow-ups of the shop writing accounts (a push or an import), in the order they happened:
    ``split_off``, the unmerges its removed phones made, then ``linked``, the merges its phones made
    (as :mod:`core.customers.phone_links` lists them, with their audit records' ids)."""
    for split in split_off:
        await after_unmerge(session, await session.get(AuditRecord, split["audit_id"]),
                            [split["customer_id"], split["from"]], settings=settings, config=config, outcome=outcome)
    for link in linked:
        # Reloaded: the bulk statements of the write and the figures wrote around the ORM.
        survivor = await session.scalar(select(Customer).where(Customer.id == link["into"])
                                        .execution_options(populate_existing=True))
        await after_merge(session, await session.get(AuditRecord, link["audit_id"]), survivor, settings=settings,
                          config=config, outcome=outcome)
