"""RFM breakpoints: scoring one value against an earlier ranking's cut points."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest

from core.customers.rfm import OrderSummary, quintile_cuts, quintile_scores, rank, score_against
from core.database import utcnow


def _values(seed: int, size: int, distinct: int) -> list[float]:
    generator = random.Random(seed)
    return [float(generator.randrange(distinct)) for _ in range(size)]


@pytest.mark.parametrize("values", [
    pytest.param([1, 2, 3, 4, 5], id="distinct"),
    pytest.param([7, 7, 7], id="all-tied"),
    pytest.param([100, 1], id="two"),
    pytest.param([3], id="one"),
    pytest.param(_values(1, 500, 4), id="heavy-ties"),  # like order counts: most customers share a few values
    pytest.param(_values(2, 1000, 10_000), id="mostly-distinct"),
    pytest.param(_values(3, 37, 6), id="odd-size"),
])
def test_every_ranked_value_scores_by_the_cuts_what_the_ranking_gave_it(values):
    scores = quintile_scores(values)
    cuts = quintile_cuts(values, scores)
    assert [score_against(value, cuts) for value in values] == scores


def test_scores_nobody_reached_have_no_cut_and_cannot_be_reached():
    # Three equal values share the middle rank: score 3, so nothing can score 4 or 5 by these cuts.
    cuts = quintile_cuts([7.0, 7.0, 7.0], [3, 3, 3])
    assert cuts == (7.0, 7.0, None, None)
    assert (score_against(6.0, cuts), score_against(700.0, cuts)) == (1, 3)


def test_a_value_nobody_had_takes_the_score_of_the_next_lower_one():
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    cuts = quintile_cuts(values, quintile_scores(values))
    assert [score_against(value, cuts) for value in (5.0, 25.0, 49.99, 1000.0)] == [1, 2, 4, 5]


def test_the_breakpoints_give_every_ranked_customer_its_segment():
    now = utcnow()
    generator = random.Random(4)
    summaries = [OrderSummary(i, now - timedelta(days=generator.randrange(400), seconds=generator.randrange(9)),
                              generator.randrange(1, 6), Decimal(generator.randrange(10, 5000)))
                 for i in range(300)]
    ranking = rank(summaries)
    assert {s.customer_id: ranking.breakpoints.segment(s) for s in summaries} == ranking.segments


def test_nobody_to_rank_leaves_no_breakpoints():
    assert rank([]).breakpoints is None
