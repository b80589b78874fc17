"""Derived figures: lifetime value (in the shop's currency), RFM segment and the VIP flag of customers.

:func:`refresh_figures` ranks every customer (after imports, and periodically: see
:mod:`core.customers.periodic`); :func:`refresh_customer_figures` updates only the customers a push
touched, scoring their segment against the breakpoints the last full refresh stored (see
:mod:`core.customers.rfm` for where that can differ from ranking everyone again).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.breakpoints import load_breakpoints, store_breakpoints
from core.customers.bulk import CHUNK_CUSTOMERS
from core.customers.rfm import OrderSummary, rank
from core.customers.service import NOT_SPENT_STATUSES
from core.database import utcnow
from core.models import Customer, Order
from core.settings import Settings


@dataclass(frozen=True)
class Figures:
    """A customer's tags with freshly computed figures: what the VIP rule reads."""

    tags: list[str] | None
    lifetime_value: Decimal
    rfm_segment: str | None


class VipFacts(Protocol):
    """What the VIP rule reads of a customer: a stored :class:`Customer` or a row of those columns."""

    tags: list[str] | None
    lifetime_value: Decimal | None
    rfm_segment: str | None


@dataclass(frozen=True)
class VipRule:
    """The configurable VIP rule: a VIP tag, a lifetime value from the threshold, or a VIP segment.

    Tags and segments compare case-insensitively ("VIP" from a shop's CRM is the tag "vip").
    """

    tags: frozenset[str]
    lifetime_value: Decimal | None
    segments: frozenset[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> VipRule:
        """The rule as the settings ``VIP_TAGS``, ``VIP_LIFETIME_VALUE`` and ``VIP_SEGMENTS`` define it."""
        return cls(frozenset(tag.lower() for tag in settings.vip_tags), settings.vip_lifetime_value,
                   frozenset(segment.lower() for segment in settings.vip_segments))

    def applies(self, customer: VipFacts) -> bool:
        """Whether ``customer``, with the figures it holds, is a VIP."""
        if any(tag.lower() in self.tags for tag in customer.tags or ()):
            return True
        if self.lifetime_value is not None and (customer.lifetime_value or 0) >= self.lifetime_value:
            return True
        return customer.rfm_segment is not None and customer.rfm_segment.lower() in self.segments


def is_vip(customer: VipFacts, settings: Settings) -> bool:
    """Whether the configured :class:`VipRule` makes ``customer`` a VIP."""
    return VipRule.from_settings(settings).applies(customer)


async def order_summaries(session: AsyncSession, currency: str,
                          customer_ids: Collection[int] | None = None) -> list[OrderSummary]:
    """One summary per customer with orders (of ``customer_ids`` when given; merged-away and erased hold none).

    ``spent`` adds up the orders in ``currency`` (the shop's) only: 1500 UAH and 10 USD are not 1510 of
    anything, and there is no exchange rate to convert at. Every order counts for recency and frequency.

    An erased customer's anonymous orders count for nobody: the shop still has the person and pushes
    them again as a new record (nothing links the two, by design), whose orders are the same ones.
    """
    not_spent = Order.status.in_(NOT_SPENT_STATUSES) | (Order.currency != currency)
    spent = func.sum(case((not_spent, 0), else_=Order.total))
    query = (select(Order.customer_id, func.max(Order.created_at), func.count(Order.id), spent)
             .join(Customer, Customer.id == Order.customer_id).where(Customer.erased_at.is_(None))
             .group_by(Order.customer_id).order_by(Order.customer_id))
    if customer_ids is not None:
        query = query.where(Order.customer_id.in_(customer_ids))
    rows = (await session.execute(query)).all()
    return [OrderSummary(customer_id, last, count, Decimal(total or 0)) for customer_id, last, count, total in rows]


async def refresh_figures(session: AsyncSession, settings: Settings) -> int:
    """Recompute lifetime value, RFM segment and VIP for every customer; returns how many figures changed.

    RFM is relative to all customers, so one new order can move others' segments: the whole set
    is recomputed from one aggregate query and one query of the stored figures (plain rows, not
    ORM objects), and only changed rows are written, one UPDATE (executemany by primary key) per
    :data:`CHUNK_CUSTOMERS` of them. Merged-away customers keep the figures they had. Customers
    already loaded in the session are given the new values by SQLAlchemy's bulk UPDATE (its
    default session synchronisation), including ``updated_at``, which is written explicitly.
    The ranking's breakpoints are stored for :func:`refresh_customer_figures`.
    """
    # The stored tags must include what the caller changed through the ORM but has not flushed yet.
    await session.flush()
    summaries = await order_summaries(session, settings.shop_currency)
    ranking = rank(summaries)
    now = utcnow()
    await store_breakpoints(session, ranking.breakpoints, customers=len(summaries), now=now)
    return await _write_figures(session, settings, summaries, ranking.segments, now=now)


async def refresh_customer_figures(session: AsyncSession, settings: Settings, customer_ids: Collection[int]) -> int:
    """Recompute the figures of ``customer_ids`` only (a push, a merge); returns how many figures changed.

    Lifetime value and VIP come out as a full refresh would make them; the segment is scored
    against the breakpoints of the last full refresh, so a push costs a few rows whatever the
    number of customers (and, on SQLite, holds the write lock that briefly). The other customers
    keep their segments until the next full refresh. Before any full refresh stored breakpoints
    (a new database), this is :func:`refresh_figures`. Loaded customers are updated as there.
    """
    await session.flush()  # as in refresh_figures: unflushed tags and orders count
    breakpoints = await load_breakpoints(session)
    if breakpoints is None:
        return await refresh_figures(session, settings)
    summaries = await order_summaries(session, settings.shop_currency, customer_ids)
    segments = {s.customer_id: breakpoints.segment(s) for s in summaries}
    return await _write_figures(session, settings, summaries, segments, now=utcnow(), customer_ids=customer_ids)


async def _write_figures(session: AsyncSession, settings: Settings, summaries: Sequence[OrderSummary],
                         segments: Mapping[int, str], *, now: datetime,
                         customer_ids: Collection[int] | None = None) -> int:
    """Write the figures that differ from the stored ones (of ``customer_ids``, or everyone's)."""
    by_customer = {s.customer_id: s for s in summaries}
    rule = VipRule.from_settings(settings)
    query = (select(Customer.id, Customer.tags, Customer.lifetime_value, Customer.rfm_segment, Customer.vip)
             .where(Customer.merged_into_id.is_(None)))
    if customer_ids is not None:
        query = query.where(Customer.id.in_(customer_ids))
    rows: list[dict] = []
    changed = 0
    for row in (await session.execute(query)).all():
        summary = by_customer.get(row.id)
        figures = Figures(row.tags, summary.spent if summary else Decimal("0"), segments.get(row.id))
        vip = rule.applies(figures)
        # Counted as before: lifetime value and segment together, VIP on its own.
        differences = ((row.lifetime_value != figures.lifetime_value or row.rfm_segment != figures.rfm_segment)
                       + (row.vip != vip))
        if differences:
            changed += differences
            rows.append({"id": row.id, "lifetime_value": figures.lifetime_value, "rfm_segment": figures.rfm_segment,
                         "vip": vip, "updated_at": now})
    for start in range(0, len(rows), CHUNK_CUSTOMERS):
        await session.execute(update(Customer), rows[start:start + CHUNK_CUSTOMERS])
    return changed
