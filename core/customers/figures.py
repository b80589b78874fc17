"""Derived figures: lifetime value, RFM segment and the VIP flag of every customer.

RFM scores each customer 1-5 on recency (days since the last order), frequency (number of orders)
and monetary value (lifetime value) by quintile among all customers with orders; the segment
names follow the common R x FM grid (champions, loyal, at_risk, ...).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.bulk import CHUNK_CUSTOMERS
from core.customers.service import NOT_SPENT_STATUSES
from core.database import utcnow
from core.models import Customer, Order
from core.settings import Settings

# (recency score, frequency-monetary score) -> segment; first match wins.
SEGMENT_GRID: tuple[tuple[set[int], set[int], str], ...] = (
    ({5}, {4, 5}, "champions"),
    ({3, 4}, {4, 5}, "loyal"),
    ({5}, {1}, "new"),
    ({4}, {1}, "promising"),
    ({4, 5}, {2, 3}, "potential_loyalist"),
    ({3}, {3}, "need_attention"),
    ({3}, {1, 2}, "about_to_sleep"),
    ({1, 2}, {5}, "cant_lose"),
    ({1, 2}, {3, 4}, "at_risk"),
    ({1, 2}, {1, 2}, "hibernating"),
)
SEGMENTS = tuple(name for _, _, name in SEGMENT_GRID)


@dataclass(frozen=True)
class Figures:
    """A customer's tags with freshly computed figures: what the VIP rule reads."""

    tags: list[str] | None
    lifetime_value: Decimal
    rfm_segment: str | None


@dataclass(frozen=True)
class OrderSummary:
    """What RFM needs to know about one customer's orders."""

    customer_id: int
    last_order_at: datetime
    orders: int
    spent: Decimal


def quintile_scores(values: Sequence[float]) -> list[int]:
    """Score each value 1 (lowest fifth) to 5 (highest fifth) by its rank; equal values score the same."""
    n = len(values)
    order = sorted(range(n), key=lambda i: values[i])
    scores = [0] * n
    start = 0
    while start < n:
        end = start
        while end + 1 < n and values[order[end + 1]] == values[order[start]]:
            end += 1
        # Ties share their average rank; the rank's mid-point percentile picks the fifth.
        middle_rank = (start + end) / 2 + 1
        score = min(5, max(1, math.ceil(5 * (middle_rank - 0.5) / n)))
        for position in range(start, end + 1):
            scores[order[position]] = score
        start = end + 1
    return scores


def segment_for(recency: int, frequency: int, monetary: int) -> str:
    """The RFM segment name for 1-5 scores."""
    fm = round((frequency + monetary) / 2 + 0.01)  # .5 rounds up: a big spender counts as frequent
    for recencies, fms, name in SEGMENT_GRID:
        if recency in recencies and fm in fms:
            return name
    return "need_attention"


def rfm_segments(summaries: Sequence[OrderSummary], now: datetime) -> dict[int, str]:
    """The segment of every customer in ``summaries`` (those with at least one order)."""
    if not summaries:
        return {}
    # Older last order = lower recency score, hence the negated age.
    recency = quintile_scores([-(now - s.last_order_at).total_seconds() for s in summaries])
    frequency = quintile_scores([s.orders for s in summaries])
    monetary = quintile_scores([float(s.spent) for s in summaries])
    return {s.customer_id: segment_for(r, f, m)
            for s, r, f, m in zip(summaries, recency, frequency, monetary, strict=True)}


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


async def order_summaries(session: AsyncSession) -> list[OrderSummary]:
    """One summary per customer with orders (merged-away and erased customers hold none)."""
    spent = func.sum(case((Order.status.in_(NOT_SPENT_STATUSES), 0), else_=Order.total))
    rows = (await session.execute(
        select(Order.customer_id, func.max(Order.created_at), func.count(Order.id), spent)
        .group_by(Order.customer_id).order_by(Order.customer_id)
    )).all()
    return [OrderSummary(customer_id, last, count, Decimal(total or 0)) for customer_id, last, count, total in rows]


async def refresh_figures(session: AsyncSession, settings: Settings) -> int:
    """Recompute lifetime value, RFM segment and VIP for every customer; returns how many figures changed.

    RFM is relative to all customers, so one new order can move others' segments: the whole set
    is recomputed from one aggregate query and one query of the stored figures (plain rows, not
    ORM objects), and only changed rows are written, one UPDATE (executemany by primary key) per
    :data:`CHUNK_CUSTOMERS` of them. Merged-away customers keep the figures they had. Customers
    already loaded in the session are given the new values by SQLAlchemy's bulk UPDATE (its
    default session synchronisation), including ``updated_at``, which is written explicitly.
    """
    # The stored tags must include what the caller changed through the ORM but has not flushed yet.
    await session.flush()
    summaries = await order_summaries(session)
    by_customer = {s.customer_id: s for s in summaries}
    now = utcnow()
    segments = rfm_segments(summaries, now)
    rule = VipRule.from_settings(settings)
    stored = (await session.execute(
        select(Customer.id, Customer.tags, Customer.lifetime_value, Customer.rfm_segment, Customer.vip)
        .where(Customer.merged_into_id.is_(None))
    )).all()
    rows: list[dict] = []
    changed = 0
    for row in stored:
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
