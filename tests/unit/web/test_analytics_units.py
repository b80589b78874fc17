"""Analytics building blocks: the period, nearest-rank percentiles, how figures read, the SVG marks."""

from datetime import UTC, datetime

import pytest

from core.errors import ValidationFailed
from web.analytics import charts, format
from web.analytics.period import parse_query
from web.analytics.sql import percentile, ratio


def test_a_date_period_includes_the_whole_last_day() -> None:
    query = parse_query("2026-11-01", "2026-11-03")
    assert (query.start, query.end) == (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 4, tzinfo=UTC))
    assert query.days() == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert query.as_params() == {"from": "2026-11-01T00:00:00+00:00", "to": "2026-11-04T00:00:00+00:00"}


def test_datetimes_are_exclusive_at_the_end_and_converted_to_utc() -> None:
    query = parse_query("2026-11-01T02:00:00+02:00", "2026-11-01T12:00:00", channel="viber", team="")
    assert (query.start, query.end) == (datetime(2026, 11, 1, 0, tzinfo=UTC), datetime(2026, 11, 1, 12, tzinfo=UTC))
    assert (query.channel, query.team, query.days()) == ("viber", None, ["2026-11-01"])


def test_the_default_period_is_the_last_thirty_days() -> None:
    query = parse_query(None, None)
    assert (query.end - query.start).days == 30
    assert query.end.date() > datetime.now(UTC).date()


@pytest.mark.parametrize(("start", "end"), [
    pytest.param("2026-11-05", "2026-11-01", id="reversed"),
    pytest.param("soon", None, id="garbage"),
    pytest.param("2025-01-01", "2026-06-01", id="too-long"),
])
def test_bad_periods_are_refused(start, end) -> None:
    with pytest.raises(ValidationFailed):
        parse_query(start, end)


@pytest.mark.parametrize(("values", "p", "expected"), [
    pytest.param([120, 300, 600], 50, 300, id="odd-median"),
    pytest.param([10, 20, 30, 40], 50, 20, id="even-median-is-lower"),
    pytest.param([120, 300, 600], 90, 600, id="p90"),
    pytest.param([5], 90, 5, id="single"),
    pytest.param([], 50, None, id="empty"),
])
def test_nearest_rank_percentile(values, p, expected) -> None:
    assert percentile(values, p) == expected


def test_ratio_and_formats() -> None:
    assert (ratio(1, 3), ratio(1, 0)) == (0.3333, None)
    assert [format.duration(s) for s in (None, 1.34, 9.96, 37.061, 59.7, 300, 3725)] == [
        "—", "1.3s", "10s", "37s", "1m 0s", "5m 0s", "1h 2m"]
    assert (format.percent(0.25), format.percent(None), format.number(3.67)) == ("25.0%", "—", "3.67")


def test_chart_marks_carry_their_values_and_escape_labels() -> None:
    svg = str(charts.bar_chart("Reasons", [("<script>", 2), ("vip", 1)], series="reason"))
    assert 'data-label="&lt;script&gt;" data-value="2"' in svg
    assert "<script>" not in svg
    line = str(charts.line_chart("Per day", ["d1", "d2", "d3"], [charts.Series("n", [1, None, 3])]))
    assert line.count("<circle") == 2  # a day without a value draws no point
    assert 'data-label="d3" data-value="3"' in line
