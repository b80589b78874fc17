"""RFM scoring: recency, frequency and monetary value scored 1-5 by quintile, and the segment they name.

Each customer with orders is scored on recency (when they last ordered), frequency (number of
orders) and monetary value (lifetime value) by quintile among all customers with orders; the
segment names follow the common R x FM grid (champions, loyal, at_risk, ...).

A full ranking needs every customer. To score one customer between full rankings, the ranking
leaves :class:`Breakpoints`: per dimension, the lowest value that reached each score 2-5. Counting
the cut points a value reaches gives every value that was ranked exactly the score the ranking gave
it (scores never fall as values rise, so ties stay together). Where it can differ from ranking again:

- The scored customer's new value is not ranked with the others. Ranked, it would shift the middle
  rank of its tie group, and of everyone above it, by one place in n; next to a cut point that can
  move a score (its own, or another customer's) by one.
- A value that nobody had takes the score of the next lower value that somebody had (the cut points
  are values somebody had); ranked, it could have reached the next score.
- The other customers keep their scores although this customer's new order changed the ranking.

That is fine for what the segment is for (a marketing label and, optionally, the VIP rule): the
difference is at most one score step in one dimension, for customers near a cut point, and the next
full refresh (after every import, and every ``FIGURES_REFRESH_INTERVAL_S`` in the server) ranks
everyone again. Recency is ranked by the time of the last order, not its age: every age grows
alike, so the ranking, and the cut points, stay right as time passes; only new orders move them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

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

# The lowest value scoring at least 2, 3, 4 and 5; None where no value did.
Cuts = tuple[float | None, ...]


@dataclass(frozen=True)
class OrderSummary:
    """What RFM needs to know about one customer's orders."""

    customer_id: int
    last_order_at: datetime
    orders: int
    spent: Decimal

    def rfm_values(self) -> tuple[float, float, float]:
        """Recency, frequency and monetary value as ranked: a later last order ranks higher."""
        return self.last_order_at.timestamp(), float(self.orders), float(self.spent)


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


def quintile_cuts(values: Sequence[float], scores: Sequence[int]) -> Cuts:
    """The lowest of ``values`` that scored at least 2, 3, 4 and 5 (None where none did)."""
    lowest: list[float | None] = [None] * 4
    for value, score in zip(values, scores, strict=True):
        for reached in range(2, score + 1):
            if lowest[reached - 2] is None or value < lowest[reached - 2]:
                lowest[reached - 2] = value
    return tuple(lowest)


def score_against(value: float, cuts: Cuts) -> int:
    """The 1-5 score of ``value`` by the cut points of an earlier ranking."""
    return 1 + sum(1 for cut in cuts if cut is not None and value >= cut)


def segment_for(recency: int, frequency: int, monetary: int) -> str:
    """The RFM segment name for 1-5 scores."""
    fm = round((frequency + monetary) / 2 + 0.01)  # .5 rounds up: a big spender counts as frequent
    for recencies, fms, name in SEGMENT_GRID:
        if recency in recencies and fm in fms:
            return name
    return "need_attention"


@dataclass(frozen=True)
class Breakpoints:
    """The cut points of a full ranking, to score one customer without ranking the others again."""

    recency: Cuts
    frequency: Cuts
    monetary: Cuts

    def segment(self, summary: OrderSummary) -> str:
        """The segment of ``summary``'s customer by these cut points (see the module's notes on ties)."""
        recency, frequency, monetary = summary.rfm_values()
        return segment_for(score_against(recency, self.recency), score_against(frequency, self.frequency),
                           score_against(monetary, self.monetary))


@dataclass(frozen=True)
class RfmRanking:
    """The segment of every ranked customer, and the cut points the ranking leaves (None: nobody ranked)."""

    segments: dict[int, str]
    breakpoints: Breakpoints | None


def rank(summaries: Sequence[OrderSummary]) -> RfmRanking:
    """Score every customer in ``summaries`` (those with at least one order) against all the others."""
    if not summaries:
        return RfmRanking({}, None)
    columns = list(zip(*(s.rfm_values() for s in summaries), strict=True))
    recency, frequency, monetary = (quintile_scores(column) for column in columns)
    segments = {s.customer_id: segment_for(r, f, m)
                for s, r, f, m in zip(summaries, recency, frequency, monetary, strict=True)}
    cuts = (quintile_cuts(column, scores) for column, scores in zip(columns, (recency, frequency, monetary),
                                                                     strict=True))
    return RfmRanking(segments, Breakpoints(*cuts))
