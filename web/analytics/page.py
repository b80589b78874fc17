"""``/console/analytics``: the supervisors' analytics page, rendered on the server.

The page reads the session cookie itself (pages are outside the ``/api`` token middleware): no
session shows a sign-in form (``static/analytics.js`` posts it to ``/api/auth/login``), a role other
than supervisor or admin gets 403. Filters are a plain GET form, so the page works without scripts.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response, get
from litestar.static_files import create_static_files_router
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.accounts import resolve_token
from core.database import utcnow
from core.errors import ValidationFailed
from core.models import Conversation
from handoff.reasons import reason_label
from web.analytics import charts, format
from web.analytics.api import Filter, From, To
from web.analytics.period import check_team, parse_query
from web.analytics.queries import summary
from web.auth import SESSION_COOKIE, SUPERVISORS
from web.deps import DbSession

HERE = Path(__file__).parent
QUICK_PERIODS = (7, 30, 90)
_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                         trim_blocks=True, lstrip_blocks=True)
_templates.filters.update(percent=format.percent, duration=format.duration, number=format.number)

static_files = create_static_files_router(path="/console/analytics/static", directories=[HERE / "static"],
                                          opt={"exclude_from_auth": True}, name="analytics-static")


def _html(template: str, status: int = 200, **context: Any) -> Response[str]:
    return Response(_templates.get_template(template).render(**context), status_code=status,
                    media_type="text/html; charset=utf-8")


@get("/console/analytics", exclude_from_auth=True, include_in_schema=False)
async def analytics_page(request: Request, db_session: DbSession, start: From = None, end: To = None,
                         channel: Filter = None, language: Filter = None, team: Filter = None) -> Response[str]:
    """The figures and charts for the chosen period and filters (sign-in form without a session)."""
    secret = request.cookies.get(SESSION_COOKIE)
    resolved = await resolve_token(db_session, secret) if secret else None
    if resolved is None:
        return _html("signin.html", status=401)
    user, _ = resolved
    if user.role not in SUPERVISORS:
        return _html("forbidden.html", status=403, user=user)
    try:
        query = parse_query(start, end, channel=channel, language=language, team=team)
        await check_team(db_session, query)
    except ValidationFailed as exc:
        return _html("analytics.html", status=400, user=user, error=str(exc), options=await _options(db_session),
                     selected={"from": start, "to": end, "channel": channel, "language": language, "team": team},
                     quick=[])
    figures = await summary(db_session, query)
    selected = {"from": query.start.date().isoformat(),
                "to": (query.end - timedelta(microseconds=1)).date().isoformat(),
                "channel": channel, "language": language, "team": team}
    return _html("analytics.html", user=user, error=None, figures=figures, selected=selected,
                 options=await _options(db_session), charts=_charts(figures), quick=_quick_links(selected),
                 csv_url="/api/analytics/export.csv?" + urlencode(_link_params(selected)))


def _link_params(selected: dict) -> dict:
    return {key: value for key, value in selected.items() if value}


def _quick_links(selected: dict) -> list[tuple[str, str]]:
    today = utcnow().date()
    links = []
    for days in QUICK_PERIODS:
        params = {**selected, "from": (today - timedelta(days=days - 1)).isoformat(), "to": today.isoformat()}
        links.append((f"Last {days} days", "/console/analytics?" + urlencode(_link_params(params))))
    return links


async def _options(session: AsyncSession) -> dict[str, list[str]]:
    """The values each filter can take, from the conversations stored."""
    options = {}
    for name, column in (("channel", Conversation.channel), ("language", Conversation.language),
                         ("team", Conversation.team)):
        rows = await session.scalars(select(column).distinct().where(column.is_not(None)).order_by(column).limit(100))
        options[name] = list(rows)
    return options


def _charts(figures: dict) -> dict[str, Any]:
    days = [day["day"] for day in figures["series"]]
    volume = charts.line_chart("Conversations per day", days, [
        charts.Series("conversations", [d["conversations"] for d in figures["series"]]),
        charts.Series("bot_resolved", [d["bot_resolved"] for d in figures["series"]]),
        charts.Series("handoffs", [d["handoffs"] for d in figures["series"]]),
    ])
    deflection = charts.line_chart("Deflection rate per day", days, [
        charts.Series("deflection_rate", [None if d["deflection_rate"] is None else round(d["deflection_rate"] * 100, 1)
                                          for d in figures["series"]]),
    ], y_max=100, y_suffix="%")
    breaches = charts.line_chart("SLA breaches per day", days, [
        charts.Series("sla_breaches", [d["sla_breaches"] for d in figures["series"]])])
    csat = charts.bar_chart("CSAT distribution", list(figures["csat_distribution"].items()), series="csat")
    reasons = charts.bar_chart("Hand-off reasons", list(figures["handoff_reasons"].items()), series="handoff_reason",
                               shown=reason_label)
    return {"volume": volume, "deflection": deflection, "breaches": breaches, "csat": csat, "reasons": reasons}


ROUTES = [analytics_page, static_files]
