"""The years within which an instant a client sends is believed: order dates, audit and analytics periods.

Python's datetime knows the years 1 to 9999 only, and a timestamp valid in its own offset can fall
outside them in UTC (``0001-01-01T00:00:00+14:00``), where it is stored and compared: that failed
deep in the database layer with a 500 (found by QA). Nothing a shop or an admin means lies before
the Unix epoch or a thousand years ahead, so such values are refused where they enter, with the
field named. Analytics counts within the same years: a day added to 9999-12-31 overflows too.
"""

from __future__ import annotations

from datetime import UTC, datetime

FIRST_YEAR, LAST_YEAR = 1970, 2999
RANGE_ERROR = f"must be in the years {FIRST_YEAR} to {LAST_YEAR} (UTC)"


class ImplausibleTime(ValueError):
    """An instant outside the years :data:`FIRST_YEAR` to :data:`LAST_YEAR` in UTC."""


def plausible_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime; a naive one is taken as UTC, as shops' exports often are.

    Raises:
        ImplausibleTime: ``value`` lies outside the years :data:`FIRST_YEAR` to :data:`LAST_YEAR` in UTC.
    """
    try:
        instant = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-14:00 lies past the last date Python knows
        raise ImplausibleTime(RANGE_ERROR) from None
    if not FIRST_YEAR <= instant.year <= LAST_YEAR:
        raise ImplausibleTime(RANGE_ERROR)
    return instant
