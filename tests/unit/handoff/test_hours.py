"""Business hours: open or closed at a moment, and the next opening, in the team's time zone."""

from datetime import UTC, datetime

import pytest

from core.errors import ValidationFailed
from core.models import Team
from handoff.hours import is_open, local_opening, next_opening, validate_hours
from handoff.texts import describe_opening

WEEKDAYS = {"mon": ["09:00", "18:00"], "tue": ["09:00", "18:00"], "wed": ["09:00", "18:00"],
            "thu": ["09:00", "18:00"], "fri": ["09:00", "18:00"]}


def _team(**values) -> Team:
    return Team(name="t", timezone=values.pop("timezone", "Europe/Kyiv"), business_hours=values.pop("hours", WEEKDAYS))


@pytest.mark.parametrize("moment, expected", [
    pytest.param(datetime(2026, 11, 23, 7, 30, tzinfo=UTC), True, id="monday-09:30-kyiv"),
    pytest.param(datetime(2026, 11, 23, 6, 59, tzinfo=UTC), False, id="monday-08:59-kyiv"),
    pytest.param(datetime(2026, 11, 23, 16, 0, tzinfo=UTC), False, id="monday-18:00-kyiv-closing"),
    pytest.param(datetime(2026, 11, 28, 10, 0, tzinfo=UTC), False, id="saturday"),
])
def test_is_open_in_the_teams_zone(moment, expected) -> None:
    assert is_open(_team(), moment) is expected


def test_no_hours_means_always_open() -> None:
    assert is_open(_team(hours={}), datetime(2026, 11, 29, 3, 0, tzinfo=UTC))
    assert is_open(None, datetime(2026, 11, 29, 3, 0, tzinfo=UTC))


def test_friday_evening_opens_on_monday_morning() -> None:
    friday_evening = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # 19:00 in Kyiv
    assert next_opening(_team(), friday_evening) == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def test_early_morning_opens_the_same_day() -> None:
    assert next_opening(_team(), datetime(2026, 11, 24, 3, 0, tzinfo=UTC)) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def test_open_now_has_no_next_opening() -> None:
    assert next_opening(_team(), datetime(2026, 11, 24, 10, 0, tzinfo=UTC)) is None


@pytest.mark.parametrize("hours", [
    pytest.param({"monday": ["09:00", "18:00"]}, id="day-name"),
    pytest.param({"mon": ["18:00", "09:00"]}, id="reversed"),
    pytest.param({"mon": ["9am", "6pm"]}, id="not-a-time"),
])
def test_bad_hours_are_rejected(hours) -> None:
    with pytest.raises(ValidationFailed):
        validate_hours(hours)


@pytest.mark.parametrize(("moment", "language", "expected"), [
    # 00:02 on Tuesday in Kyiv (Monday 22:02 UTC): the team opens the same local day.
    pytest.param(datetime(2026, 11, 23, 22, 2, tzinfo=UTC), "uk", "сьогодні о 09:00", id="after-midnight-today"),
    pytest.param(datetime(2026, 11, 23, 19, 0, tzinfo=UTC), "ru", "завтра в 09:00", id="monday-evening-tomorrow"),
    pytest.param(datetime(2026, 11, 27, 19, 0, tzinfo=UTC), "en", "on Monday at 09:00", id="friday-evening-monday"),
])
def test_the_opening_is_told_as_today_tomorrow_or_a_weekday(moment, language, expected) -> None:
    team = _team()
    opening = next_opening(team, moment)
    assert describe_opening(*local_opening(team, opening, moment), language) == expected
