"""Business hours of a team: is it open now, and when does it open next.

``Team.business_hours`` maps weekday keys to opening and closing times in the team's time zone,
e.g. ``{"mon": ["09:00", "18:00"], "sat": ["10:00", "14:00"]}``; a missing day is closed and an empty
mapping means always open.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import ValidationFailed, describe
from core.models import Team

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PAIR_REQUIRED = "a pair of HH:MM times [open, close]"
MAPPING_REQUIRED = "an object of day \u2192 [open, close], e.g. {\"mon\": [\"09:00\", \"18:00\"]}"

logger = logging.getLogger(__name__)


def _zone(team: Team) -> ZoneInfo:
    try:
        return ZoneInfo(team.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _parse_window(window: object) -> tuple[time, time]:
    """The opening and closing times of one day's ``[open, close]``.

    Raises:
        ValueError: with the reason, worded for whoever typed the hours.
    """
    if not isinstance(window, list | tuple) or len(window) != 2 or not all(isinstance(v, str) for v in window):
        raise ValueError(PAIR_REQUIRED)
    try:
        opens, closes = time.fromisoformat(window[0]), time.fromisoformat(window[1])
    except ValueError:
        raise ValueError(f"{PAIR_REQUIRED}, got {window!r}") from None
    # Times are wall-clock times in the team's ``timezone``; an offset would both contradict it and
    # make them incomparable with the local time is_open computes.
    if opens.tzinfo is not None or closes.tzinfo is not None:
        raise ValueError("times without a UTC offset; the team's timezone sets the zone")
    if opens >= closes:
        raise ValueError("opening time must be before closing time")
    return opens, closes


def _read_hours(hours: object) -> tuple[dict[int, tuple[time, time]], list[dict]]:
    """The open windows of a ``business_hours`` value by weekday (0 = Monday), and its problems."""
    if not isinstance(hours, dict):
        return {}, [{"field": "business_hours", "error": MAPPING_REQUIRED}]
    windows, problems = {}, []
    for key, window in hours.items():
        try:
            if key not in DAY_KEYS:
                raise ValueError(f"unknown day {key!r}; use {', '.join(DAY_KEYS)}")
            windows[DAY_KEYS.index(key)] = _parse_window(window)
        except ValueError as exc:
            problems.append({"field": f"business_hours.{key}", "error": str(exc)})
    return windows, problems


def validate_hours(hours: object) -> None:
    """Raise :class:`ValidationFailed` unless ``hours`` is a valid ``business_hours`` mapping."""
    _, problems = _read_hours(hours)
    if problems:
        raise ValidationFailed(describe(problems), problems)


def _windows(team: Team) -> dict[int, tuple[time, time]] | None:
    """The team's open windows by weekday (0 = Monday), or None for always open.

    Hours stored before validation was as strict as now are ignored as if none were set: a hand-off
    must not fail on them, and answering at once is the safer guess than telling shoppers an opening
    time the hours cannot support. The warning tells the admin to fix them. The API and the CLI can
    no longer store such hours, and migration ``0009_team_hours_wall_clock`` rewrote those with UTC
    offsets, but some remain possible: a window that moves to another day in the team's zone (left
    as it was), other shapes refused since, and hours written into the database by hand.
    """
    windows, problems = _read_hours(team.business_hours or {})
    if problems:
        logger.warning("team %r has unreadable business hours, treated as always open: %s", team.name,
                       describe(problems))
        return None
    return windows or None


def is_open(team: Team | None, at: datetime) -> bool:
    """Whether ``team`` works at ``at`` (no team or no hours configured: always)."""
    windows = _windows(team) if team is not None else None
    return windows is None or _open_in(windows, at.astimezone(_zone(team)))


def _open_in(windows: dict[int, tuple[time, time]], local: datetime) -> bool:
    window = windows.get(local.weekday())
    return window is not None and window[0] <= local.time() < window[1]


def next_opening(team: Team | None, at: datetime) -> datetime | None:
    """When ``team`` opens next after ``at`` (UTC), or None when it is open now or has no open day."""
    # The hours are read once here (is_open would read them again, and warn twice about bad ones).
    windows = _windows(team) if team is not None else None
    if windows is None:
        return None
    zone = _zone(team)
    local = at.astimezone(zone)
    if _open_in(windows, local):
        return None
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        window = windows.get(day.weekday())
        if window is None:
            continue
        opening = datetime.combine(day, window[0], tzinfo=zone)
        if opening > local:
            return opening.astimezone(UTC)
    return None


def working_from(team: Team | None, at: datetime) -> datetime:
    """The moment timers start counting: ``at`` during hours, else the next opening."""
    return next_opening(team, at) or at


def local_opening(team: Team, opening: datetime, now: datetime) -> tuple[int, int, str]:
    """In the team's time zone: how many days after ``now``'s date ``opening`` falls, its weekday
    (0 = Monday) and its "HH:MM"."""
    zone = _zone(team)
    local = opening.astimezone(zone)
    return (local.date() - now.astimezone(zone).date()).days, local.weekday(), local.strftime("%H:%M")
