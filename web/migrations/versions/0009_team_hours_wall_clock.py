"""team hours wall clock

Revision ID: 0009_team_hours_wall_clock
Revises: 0008_pending_receipts
Create Date: 2026-11-24 10:40:00.000000

Business hours are wall-clock times in the team's time zone, and ``handoff.hours`` refuses times with
a UTC offset ("09:00+03:00"). Hours stored before that refusal still hold such times, and a team whose
hours cannot be read counts as always open. This rewrites them into the accepted form.
"""

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from alembic import op

import core.database

revision: str = '0009_team_hours_wall_clock'
down_revision: str | Sequence[str] | None = '0008_pending_receipts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A warning, so that `relaydesk db upgrade` shows it without any logging set up (Python's last resort).
logger = logging.getLogger(__name__)
teams = sa.table('teams', sa.column('id', sa.Integer()), sa.column('name', sa.String()),
                 sa.column('timezone', sa.String()), sa.column('business_hours', core.database.JSONType))


class Unrepresentable(ValueError):
    """A window that, read in the team's zone, no longer falls within one day."""


def upgrade() -> None:
    connection = op.get_bind()
    today = datetime.now(UTC)
    for team_id, name, timezone, hours in connection.execute(
            sa.select(teams.c.id, teams.c.name, teams.c.timezone, teams.c.business_hours).order_by(teams.c.id)):
        zone = _zone(timezone)
        try:
            rewritten = _wall_clock_hours(hours, zone, today.astimezone(zone).date())
        except Unrepresentable as exc:
            logger.warning("team %r: business hours %s kept as they are (%s); until they are set again with "
                           "`relaydesk teams set --hours`, the team counts as always open", name, hours, exc)
            continue
        if rewritten != hours:
            connection.execute(sa.update(teams).where(teams.c.id == team_id).values(business_hours=rewritten))
            logger.warning("team %r: business hours with UTC offsets rewritten as %s wall clock: %s -> %s",
                           name, zone.key, hours, rewritten)


def downgrade() -> None:
    # Nothing to undo: the rewritten hours mean the same opening times, and the code before this
    # revision reads them as well as it read the offsets (better: it ignored those).
    pass


def _zone(name: str | None) -> ZoneInfo:
    # As handoff.hours reads it: an unknown zone is UTC.
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _wall_clock_hours(hours: object, zone: ZoneInfo, on: date) -> object:
    """``hours`` with every ``[open, close]`` that carries an offset as wall-clock times in ``zone``.

    Anything else (valid windows, shapes that are wrong for other reasons) is left as it is: the
    fallback in handoff.hours and the admin deal with those.
    """
    if not isinstance(hours, dict):
        return hours
    return {day: _wall_clock_window(window, zone, on) for day, window in hours.items()}


def _wall_clock_window(window: object, zone: ZoneInfo, on: date) -> object:
    if not isinstance(window, list) or not all(isinstance(value, str) for value in window):
        return window
    try:
        times = [time.fromisoformat(value) for value in window]
    except ValueError:
        return window
    if all(moment.tzinfo is None for moment in times):
        return window
    local = [_in_zone(moment, zone, on) for moment in times]
    if any(moment.date() != on for moment in local):
        raise Unrepresentable(f"{window} falls on another day in {zone.key}")
    return [_text(moment.time()) for moment in local]


def _in_zone(moment: time, zone: ZoneInfo, on: date) -> datetime:
    """The time read in ``zone`` on the migration day ``on``.

    When the offset is one the zone uses at some time of the migration year, its standard or its
    summer time (the admin typed their local time with the offset it had when they typed it), this only
    drops the offset: "09:00+03:00" typed in a Kyiv summer is 09:00 in Kyiv, even when the migration
    runs in winter (+02:00). Otherwise the offset is taken at its word: the admin meant that moment
    (say "09:00+00:00" for a team that opens when London does), and the team's wall clock at that
    moment today is the closest accepted form of it; from now on it follows the team's zone (its
    summer time included) like all hours do. Dropping the offset instead would move the opening by the
    difference, silently.
    """
    if moment.tzinfo is None or moment.utcoffset() in _offsets(zone, on.year):
        return datetime.combine(on, moment.replace(tzinfo=None), tzinfo=zone)
    return datetime.combine(on, moment).astimezone(zone)


def _offsets(zone: ZoneInfo, year: int) -> set[timedelta]:
    # Every month, not just January and July: a zone may change its offsets in any month of a year.
    return {datetime(year, month, 15, 12, tzinfo=zone).utcoffset() for month in range(1, 13)}


def _text(moment: time) -> str:
    return moment.isoformat(timespec="seconds" if moment.second else "minutes")
