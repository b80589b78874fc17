"""The analytics figures, computed in SQL that runs on SQLite and PostgreSQL.

Every figure is about one cohort: the conversations that *started* in the period (and match the
filters); their messages and events count whatever their own time. The exact rules are in the
README (``## Analytics``). :func:`summary` is what the API, the CSV export and the page call.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import ConversationEvent
from web.analytics.breakdowns import agent_workload, unanswered_topics
from web.analytics.facts import cohort, conversation_facts, handoff_intervals
from web.analytics.period import AnalyticsQuery
from web.analytics.sql import percentile, ratio, seconds_between, utc_day

# A bot answer settles a conversation once the shopper has stayed silent this long after it.
QUIET_WINDOW = timedelta(hours=24)
CSAT_SCORES = (1, 2, 3, 4, 5)
DAILY_COUNTS = ("conversations", "bot_resolved", "handoffs", "sla_breaches", "csat_count", "csat_sum",
                *(f"csat_{score}" for score in CSAT_SCORES))


async def daily_counts(session: AsyncSession, query: AnalyticsQuery) -> list[dict[str, Any]]:
    """Counts per UTC day of conversation start: conversations, bot_resolved, handoffs, SLA breaches, CSAT
    (count, sum and one count per score as ``csat_1`` … ``csat_5``)."""
    facts = conversation_facts(query)
    settled_before = query.as_of - QUIET_WINDOW
    bot_resolved = and_(
        facts.c.handoff_at.is_(None),
        facts.c.last_bot_at.is_not(None),
        facts.c.last_bot_at <= settled_before,
        or_(facts.c.last_customer_at.is_(None), facts.c.last_customer_at <= facts.c.last_bot_at),
        # Left with "no answer" or unpicked "Did you mean" buttons, the shopper was not helped.
        or_(facts.c.last_unsure_at.is_(None), facts.c.last_unsure_at < facts.c.last_bot_at),
    )
    day = utc_day(facts.c.created_at).label("day")
    per_score = [func.sum(case((facts.c.csat == score, 1), else_=0)).label(f"csat_{score}") for score in CSAT_SCORES]
    statement = (
        select(day, func.count().label("conversations"),
               func.sum(case((bot_resolved, 1), else_=0)).label("bot_resolved"),
               func.count(facts.c.handoff_at).label("handoffs"),
               func.sum(facts.c.sla_breaches).label("sla_breaches"),
               func.count(facts.c.csat).label("csat_count"),
               func.sum(func.coalesce(facts.c.csat, literal(0))).label("csat_sum"), *per_score)
        .group_by(day)
    )
    by_day = {row.day: row._mapping for row in await session.execute(statement)}
    return [{"day": name, **{key: int(by_day[name][key] or 0) if name in by_day else 0 for key in DAILY_COUNTS}}
            for name in query.days()]


async def handoff_reasons(session: AsyncSession, query: AnalyticsQuery) -> dict[str, int]:
    """Hand-offs by the reason of each conversation's first hand-off, most frequent first."""
    first_ids = (select(func.min(ConversationEvent.id))
                 .where(ConversationEvent.kind == "handoff", ConversationEvent.conversation_id.in_(cohort(query)))
                 .group_by(ConversationEvent.conversation_id))
    reason = func.coalesce(ConversationEvent.reason, literal("unknown")).label("reason")
    rows = await session.execute(
        select(reason, func.count().label("count")).where(ConversationEvent.id.in_(first_ids))
        .group_by(reason).order_by(func.count().desc(), reason)
    )
    return {row.reason: row.count for row in rows}


async def handoff_timings(session: AsyncSession, query: AnalyticsQuery) -> list[dict[str, Any]]:
    """Per handed-off conversation: first response and resolution seconds, and who replied first.

    First response runs from the shopper's message that led to the first hand-off (the last customer
    message at or before it; the hand-off itself when there is none) to the first agent message after
    the hand-off. Resolution runs from the first hand-off to the first ``resolved`` event after it.
    """
    intervals = handoff_intervals(query).subquery("intervals")
    rows = await session.execute(select(
        intervals.c.conversation_id, intervals.c.replied_by,
        seconds_between(intervals.c.asked_at, intervals.c.replied_at).label("first_response_s"),
        seconds_between(intervals.c.handoff_at, intervals.c.resolved_at).label("resolution_s"),
    ))
    return [{"conversation_id": row.conversation_id, "first_agent_id": row.replied_by,
             "first_response_s": _seconds(row.first_response_s), "resolution_s": _seconds(row.resolution_s)}
            for row in rows]


def _seconds(value: float | None) -> float | None:
    # julianday() arithmetic carries float noise in the last digits; milliseconds are plenty.
    return None if value is None else round(float(value), 3)


def duration_stats(values: list[float | None]) -> dict[str, float | None | int]:
    """p50 and p90 (nearest rank) of the known durations, and how many there were."""
    known = sorted(v for v in values if v is not None)
    return {"p50": percentile(known, 50), "p90": percentile(known, 90), "count": len(known)}


async def summary(session: AsyncSession, query: AnalyticsQuery) -> dict[str, Any]:
    """Every figure of the analytics page for ``query`` (the body of ``GET /api/analytics/summary``)."""
    series = await daily_counts(session, query)
    totals = {key: sum(day[key] for day in series) for key in DAILY_COUNTS}
    timings = await handoff_timings(session, query)
    first_response = duration_stats([t["first_response_s"] for t in timings])
    resolution = duration_stats([t["resolution_s"] for t in timings])
    for day in series:
        day["deflection_rate"] = ratio(day["bot_resolved"], day["conversations"])
        day["handoff_rate"] = ratio(day["handoffs"], day["conversations"])
        day["csat_avg"] = _average(day.pop("csat_sum"), day["csat_count"])
        for score in CSAT_SCORES:
            del day[f"csat_{score}"]
    return {
        "period": {"from": query.start.isoformat(), "to": query.end.isoformat(), "as_of": query.as_of.isoformat()},
        "filters": {"channel": query.channel, "language": query.language, "team": query.team},
        "conversations": totals["conversations"],
        "bot_resolved": totals["bot_resolved"],
        "deflection_rate": ratio(totals["bot_resolved"], totals["conversations"]),
        "handoffs": totals["handoffs"],
        "handoff_rate": ratio(totals["handoffs"], totals["conversations"]),
        "handoff_reasons": await handoff_reasons(session, query),
        "first_response_p50_s": first_response["p50"],
        "first_response_p90_s": first_response["p90"],
        "first_responses": first_response["count"],
        "resolution_p50_s": resolution["p50"],
        "resolution_p90_s": resolution["p90"],
        "resolutions": resolution["count"],
        "csat_avg": _average(totals["csat_sum"], totals["csat_count"]),
        "csat_count": totals["csat_count"],
        "csat_distribution": {str(score): totals[f"csat_{score}"] for score in CSAT_SCORES},
        "sla_breaches": totals["sla_breaches"],
        "agents": await agent_workload(session, query, timings),
        "unanswered_topics": await unanswered_topics(session, query),
        "series": series,
    }


def _average(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None
