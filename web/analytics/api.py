"""``GET /api/analytics/summary`` and ``GET /api/analytics/export.csv`` (supervisors and admins)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.params import QueryParameter

from core.models import AuditRecord
from web.analytics.csv_export import series_csv
from web.analytics.period import AnalyticsQuery, check_team, parse_query
from web.analytics.queries import summary
from web.auth import SUPERVISORS, Principal, requires
from web.deps import DbSession

From = Annotated[str | None, QueryParameter(name="from", description="Start: YYYY-MM-DD or ISO datetime (UTC)")]
To = Annotated[str | None, QueryParameter(name="to", description="End: YYYY-MM-DD (inclusive) or ISO datetime")]
Filter = Annotated[str | None, QueryParameter()]


async def _query(session: DbSession, start: str | None, end: str | None, channel: str | None, language: str | None,
                 team: str | None) -> AnalyticsQuery:
    query = parse_query(start, end, channel=channel, language=language, team=team)
    await check_team(session, query)
    return query


@get("/api/analytics/summary", guards=[requires(*SUPERVISORS)], tags=["analytics"])
async def analytics_summary(db_session: DbSession, start: From = None, end: To = None, channel: Filter = None,
                            language: Filter = None, team: Filter = None) -> dict[str, Any]:
    """Deflection, hand-offs, response times, SLA breaches, CSAT, agents and topics for the conversations
    that started in the period (400 on a bad period)."""
    return await summary(db_session, await _query(db_session, start, end, channel, language, team))


@get("/api/analytics/export.csv", guards=[requires(*SUPERVISORS)], tags=["analytics"], media_type="text/csv")
async def analytics_export(request: Request, db_session: DbSession, start: From = None, end: To = None,
                           channel: Filter = None, language: Filter = None, team: Filter = None) -> Response[str]:
    """The summary's daily series and totals as CSV (one row per day, then a ``total`` row)."""
    query = await _query(db_session, start, end, channel, language, team)
    figures = await summary(db_session, query)
    principal: Principal = request.user
    db_session.add(AuditRecord(actor_type="staff", actor_id=principal.user_id, action="analytics.export",
                               target_type="analytics", details=query.as_params()))
    filename = f"relaydesk-analytics-{query.start.date()}-{query.last_day}.csv"
    return Response(series_csv(figures), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
