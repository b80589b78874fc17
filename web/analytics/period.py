"""The question an analytics request asks: a period of conversation start times and filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.database import utcnow
from core.errors import ValidationFailed
from core.models import Conversation, Team
from core.plausible_time import FIRST_YEAR, LAST_YEAR, ImplausibleTime, plausible_utc
from core.settings import SUPPORTED_LANGUAGES

DEFAULT_DAYS = 30
MAX_DAYS = 366
# The messengers conversations come from (conversations.channel).
CHANNELS = ("telegram", "viber", "webchat")


@dataclass(frozen=True)
class AnalyticsQuery:
    """Which conversations to count: started in ``[start, end)`` and matching every filter given.

    Attributes:
        start: first instant of the period (UTC).
        end: the instant after the period (UTC, exclusive).
        as_of: "now" for rules that wait for time to pass (the 24-hour bot-resolved window).
        channel, language, team: optional equality filters on the conversation.
    """

    start: datetime
    end: datetime
    as_of: datetime = field(default_factory=utcnow)
    channel: str | None = None
    language: str | None = None
    team: str | None = None

    @property
    def last_day(self) -> date:
        """The last UTC day the period touches (``end`` is exclusive: midnight belongs to the next period)."""
        return (self.end - timedelta(microseconds=1)).date()

    def days(self) -> list[str]:
        """Every UTC day the period touches, as ``YYYY-MM-DD``, oldest first."""
        day, last = self.start.date(), self.last_day
        days = []
        while day <= last:
            days.append(day.isoformat())
            day += timedelta(days=1)
        return days

    def as_params(self) -> dict[str, str]:
        """The query-string form of this question (for links such as the CSV export)."""
        params = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        params.update({name: value for name, value in (("channel", self.channel), ("language", self.language),
                                                       ("team", self.team)) if value})
        return params


def parse_query(
    start: str | None, end: str | None, *, channel: str | None = None, language: str | None = None,
    team: str | None = None,
) -> AnalyticsQuery:
    """Build an :class:`AnalyticsQuery` from request strings.

    ``from``/``to`` accept a date (``2026-11-01``; ``to`` is then inclusive: the whole day counts) or an
    ISO datetime (``to`` exclusive; without an offset it is UTC). Missing ``to`` is the end of today,
    missing ``from`` is 30 days before ``to``.

    Raises:
        ValidationFailed: unparseable dates, an empty or reversed period, one longer than 366 days, a
            language the shop does not speak or a channel it has no messenger for.
    """
    problems = []
    # A typo in a filter must not read as "no conversations" (found by QA: channel=zzz gave zeros).
    if channel and channel not in CHANNELS:
        problems.append({"field": "channel", "error": f"'channel' must be one of {', '.join(CHANNELS)}: {channel!r}"})
    if language and language not in SUPPORTED_LANGUAGES:
        problems.append({"field": "language", "error": f"'language' must be one of {', '.join(SUPPORTED_LANGUAGES)}: "
                                                       f"{language!r}"})
    end_at = parse_bound(end, "to", problems, inclusive_day=True)
    start_at = parse_bound(start, "from", problems, inclusive_day=False)
    if problems:
        raise ValidationFailed("; ".join(p["error"] for p in problems), problems)
    if end_at is None:
        end_at = datetime.combine(utcnow().date() + timedelta(days=1), time(), UTC)
    if start_at is None:
        start_at = end_at - timedelta(days=DEFAULT_DAYS)
    if start_at >= end_at:
        raise ValidationFailed("'from' must be before 'to'", [{"field": "from", "error": "must be before 'to'"}])
    if end_at - start_at > timedelta(days=MAX_DAYS):
        raise ValidationFailed(f"the period may span at most {MAX_DAYS} days",
                               [{"field": "to", "error": f"at most {MAX_DAYS} days after 'from'"}])
    return AnalyticsQuery(start=start_at, end=end_at, channel=channel or None, language=language or None,
                          team=team or None)


def parse_bound(value: str | None, name: str, problems: list, *, inclusive_day: bool) -> datetime | None:
    """One bound of a period from a query string: a date (``2026-11-01``) or an ISO datetime, in UTC.

    A date means its midnight, or with ``inclusive_day`` the next one (the whole day counts); a
    datetime without an offset is UTC. Unix numbers (``0.5``) are refused: the field reads as a date.

    Returns:
        The instant, or None when ``value`` is empty or bad; a bad one appends a problem naming ``name``.
    """
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            parsed = datetime.combine(day, time(), UTC)
        else:
            parsed = datetime.fromisoformat(value)
    except ValueError:
        problems.append({"field": name, "error": f"'{name}' is not a date (YYYY-MM-DD) or ISO datetime: {value!r}"})
        return None
    # Checked in UTC, where the period is counted: far-off years overflow its date arithmetic (a day
    # added to 9999-12-31), and an offset can carry a bound over the limit (found by QA).
    try:
        instant = plausible_utc(parsed)
    except ImplausibleTime:
        problems.append({"field": name, "error": f"'{name}' must be in the years {FIRST_YEAR} to {LAST_YEAR}: "
                                                 f"{value!r}"})
        return None
    return instant + timedelta(days=1) if len(value) == 10 and inclusive_day else instant


async def check_team(session: AsyncSession, query: AnalyticsQuery) -> None:
    """Refuse a ``team`` filter that names no team, now or on any stored conversation.

    A team removed since still has its conversations to count; a name nobody ever had is a typo.

    Raises:
        ValidationFailed: the team is unknown.
    """
    if query.team is None:
        return
    known = await session.scalar(select(or_(exists().where(Team.name == query.team),
                                            exists().where(Conversation.team == query.team))))
    if not known:
        raise ValidationFailed(f"no team is named {query.team!r}",
                               [{"field": "team", "error": f"no team is named {query.team!r}"}])
