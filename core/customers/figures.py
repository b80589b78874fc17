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

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

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


def is_vip(customer: Customer, settings: Settings) -> bool:
    """The configurable VIP rule: a VIP tag, a lifetime value from the threshold, or a VIP segment.

    Tags and segments compare case-insensitively ("VIP" from a shop's CRM is the tag "vip").
    """
    if {tag.lower() for tag in customer.tags or ()} & {tag.lower() for tag in settings.vip_tags}:
        return True
    if settings.vip_lifetime_value is not None and (customer.lifetime_value or 0) >= settings.vip_lifetime_value:
        return True
    segments = {segment.lower() for segment in settings.vip_segments}
    return customer.rfm_segment is not None and customer.rfm_segment.lower() in segments


async def order_summaries(session: AsyncSession) -> list[OrderSummary]:
    """One summary per customer with orders (merged-away and erased customers hold none)."""
    spent = func.sum(case((Order.status.in_(NOT_SPENT_STATUSES), 0), else_=Order.total))
    rows = (await session.execute(
        select(Order.customer_id, func.max(Order.created_at), func.count(Order.id), spent)
        .group_by(Order.customer_id).order_by(Order.customer_id)
    )).all()
    return [OrderSummary(customer_id, last, count, Decimal(total or 0)) for customer_id, last, count, total in rows]


async def refresh_figures(session: AsyncSession, settings: Settings) -> int:
    """Recompute lifetime value, RFM segment and VIP for every customer; returns how many changed.

    RFM is relative to all customers, so one new order can move others' segments: the whole set
    is recomputed from one aggregate query, and only changed rows are written.
    """
    summaries = await order_summaries(session)
    by_customer = {s.customer_id: s for s in summaries}
    segments = rfm_segments(summaries, utcnow())
    changed = 0
    for customer in (await session.scalars(select(Customer).where(Customer.merged_into_id.is_(None)))).all():
        summary = by_customer.get(customer.id)
        values = {
            "lifetime_value": summary.spent if summary else Decimal("0"),
            "rfm_segment": segments.get(customer.id),
        }
        if customer.lifetime_value != values["lifetime_value"] or customer.rfm_segment != values["rfm_segment"]:
            customer.lifetime_value, customer.rfm_segment = values["lifetime_value"], values["rfm_segment"]
            changed += 1
        vip = is_vip(customer, settings)
        if customer.vip != vip:
            customer.vip = vip
            changed += 1
    await session.flush()
    return changed
