"""Business hours of any shape get one clear reason, and hours stored with an offset never break a hand-off."""

from datetime import UTC, datetime

import pytest

from core.errors import ValidationFailed
from core.models import Team
from handoff.hours import is_open, next_opening, validate_hours


@pytest.mark.parametrize(("hours", "field", "reason"), [
    pytest.param([1, 2], "business_hours", "an object of day", id="list"),
    pytest.param("x", "business_hours", "an object of day", id="string"),
    pytest.param(5, "business_hours", "an object of day", id="number"),
    pytest.param({"mon": ["09:00"]}, "business_hours.mon", "a pair of HH:MM times", id="one-time"),
    pytest.param({"mon": None}, "business_hours.mon", "a pair of HH:MM times", id="null"),
    pytest.param({"mon": "09:00"}, "business_hours.mon", "a pair of HH:MM times", id="bare-string"),
    pytest.param({"mon": ["09:00", "18:00", "20:00"]}, "business_hours.mon", "a pair of HH:MM times", id="three"),
    pytest.param({"mon": [9, 18]}, "business_hours.mon", "a pair of HH:MM times", id="numbers"),
    pytest.param({"mon": ["09:00+03:00", "18:00+03:00"]}, "business_hours.mon", "without a UTC offset",
                 id="utc-offset"),
])
def test_bad_shapes_name_the_field_and_the_expected_form(hours, field, reason) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_hours(hours)
    [problem] = caught.value.details
    assert problem["field"] == field and reason in problem["error"]
    assert str(caught.value).startswith(f"{field}: ") and "\n" not in str(caught.value)


def test_hours_stored_with_an_offset_count_as_always_open(caplog) -> None:
    # Stored before validation refused offsets: comparing them with local times raised TypeError.
    team = Team(name="gen", timezone="Europe/Kyiv", business_hours={"mon": ["09:00+03:00", "18:00+03:00"]})
    sunday_night = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    assert is_open(team, sunday_night) is True
    assert next_opening(team, sunday_night) is None
    assert "team 'gen' has unreadable business hours" in caplog.text
