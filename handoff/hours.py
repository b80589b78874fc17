"""Business hours of a team: is it open now, and when does it open next.

``Team.business_hours`` maps weekday keys to opening and closing times in the team's time zone,
e.g. ``{"mon": ["09:00", "18:00"], "sat": ["10:00", "14:00"]}``; a missing day is closed and an empty
mapping means always open.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import ValidationFailed
from core.models import Team

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _zone(team: Team) -> ZoneInfo:
    try:
        return ZoneInfo(team.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _window(team: Team, day: int) -> tuple[time, time] | None:
    hours = (team.business_hours or {}).get(DAY_KEYS[day])
    if not hours:
        return None
    return time.fromisoformat(hours[0]), time.fromisoformat(hours[1])


def validate_hours(hours: dict) -> None:
    """Raise :class:`ValidationFailed` unless ``hours`` is a valid ``business_hours`` mapping."""
    problems = []
    for key, window in hours.items():
        try:
            if key not in DAY_KEYS:
                raise ValueError(f"unknown day {key!r}; use {', '.join(DAY_KEYS)}")
            opens, closes = time.fromisoformat(window[0]), time.fromisoformat(window[1])
            if opens >= closes:
                raise ValueError("opening time must be before closing time")
        except (ValueError, TypeError, IndexError) as exc:
            problems.append({"field": f"business_hours.{key}", "error": str(exc)})
    if problems:
        raise ValidationFailed("invalid business hours", problems)


def is_open(team: Team | None, at: datetime) -> bool:
    """Whether ``team`` works at ``at`` (no team or no hours configured: always)."""
    if team is None or not team.business_hours:
        return True
    local = at.astimezone(_zone(team))
    window = _window(team, local.weekday())
    return window is not None and window[0] <= local.time() < window[1]


def next_opening(team: Team | None, at: datetime) -> datetime | None:
    """When ``team`` opens next after ``at`` (UTC), or None when it is open now or has no open day."""
    if is_open(team, at):
        return None
    zone = _zone(team)
    local = at.astimezone(zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        window = _window(team, day.weekday())
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
