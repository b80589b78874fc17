"""Teams as routing uses them: skills, VIP flag, business hours and SLA (create or change, list)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from core.accounts import get_or_create_team
from core.errors import ValidationFailed, describe
from core.models import Team
from handoff.hours import validate_hours

MAX_NAME = 64


async def upsert(
    session: AsyncSession, *, name: str, skills: list[str] | None = None, is_vip: bool | None = None,
    timezone: str | None = None, business_hours: dict | None = None, first_response_sla_s: int | None = None,
    next_response_sla_s: int | None = None,
) -> Team:
    """Create the team or change the given fields (None leaves a field as it is).

    Raises:
        ValidationFailed: listing every bad field (name, time zone, hours, SLA seconds).
    """
    problems = []
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        problems.append({"field": "name", "error": f"1 to {MAX_NAME} characters"})
    elif not name.isprintable():
        # A NUL or a line break in a name shown in every console and routing log (found by QA: "%00").
        problems.append({"field": "name", "error": "control characters are not allowed"})
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append({"field": "timezone", "error": f"unknown time zone {timezone!r}"})
    if business_hours is not None:
        try:
            validate_hours(business_hours)
        except ValidationFailed as exc:
            problems.extend(exc.details)
    for field, seconds in (("first_response_sla_s", first_response_sla_s),
                           ("next_response_sla_s", next_response_sla_s)):
        if seconds is not None and seconds <= 0:
            problems.append({"field": field, "error": "must be a positive number of seconds"})
    if problems:
        raise ValidationFailed(describe(problems), problems)
    team = await get_or_create_team(session, name=name)
    # Each skill once, in the order given (["a", "a", ""] is ["a"]).
    changes = {"skills": list(dict.fromkeys(s.strip() for s in skills if s.strip())) if skills is not None else None,
               "is_vip": is_vip, "timezone": timezone, "business_hours": business_hours,
               "first_response_sla_s": first_response_sla_s, "next_response_sla_s": next_response_sla_s}
    for field, value in changes.items():
        if value is not None:
            setattr(team, field, value)
    await session.flush()
    return team


def view(team: Team) -> dict:
    """A team as the API and the CLI show it."""
    return {"id": team.id, "name": team.name, "skills": list(team.skills or []), "is_vip": team.is_vip,
            "timezone": team.timezone, "business_hours": team.business_hours or {},
            "first_response_sla_s": team.first_response_sla_s, "next_response_sla_s": team.next_response_sla_s}
