"""The analytics summary and CSV export over a known set of conversations, checked figure by figure."""

import csv
import io
from datetime import timedelta

import pytest

from core.database import utcnow
from tests.support.analytics_data import (
    EXPECTED,
    EXPECTED_AGENTS,
    EXPECTED_DAYS,
    FALLBACK,
    seed_known_set,
    start_conversation,
)
from tests.support.staff import bearer_for


@pytest.fixture
async def known(session_factory):
    return await seed_known_set(session_factory)


@pytest.fixture
async def supervisor(session_factory):
    return await bearer_for(session_factory, "supervisor")


async def test_every_figure_of_the_known_set(client, known, supervisor) -> None:
    response = await client.get("/api/analytics/summary", params=known.params, headers=supervisor)
    assert response.status_code == 200, response.text
    body = response.json()
    for name, value in EXPECTED.items():
        assert body[name] == value, name
    agents = {agent["name"]: agent for agent in body["agents"]}
    assert set(agents) == set(EXPECTED_AGENTS)
    for name, figures in EXPECTED_AGENTS.items():
        assert {key: agents[name][key] for key in figures} == figures, name


async def test_daily_series_covers_every_day_of_the_period(client, known, supervisor) -> None:
    body = (await client.get("/api/analytics/summary", params=known.params, headers=supervisor)).json()
    series = body["series"]
    assert len(series) == 6
    assert series[0]["day"] == known.first_day.date().isoformat()
    for index, day in enumerate(series):
        conversations, resolved, handoffs, breaches, rated, csat_avg = EXPECTED_DAYS.get(index, (0, 0, 0, 0, 0, None))
        assert (day["conversations"], day["bot_resolved"], day["handoffs"], day["sla_breaches"],
                day["csat_count"], day["csat_avg"]) == (conversations, resolved, handoffs, breaches, rated, csat_avg)
    assert series[0]["deflection_rate"] == 0.5
    assert series[2]["deflection_rate"] is None


@pytest.mark.parametrize(("filters", "conversations", "bot_resolved", "handoffs"), [
    pytest.param({"channel": "telegram"}, 4, 1, 2, id="channel"),
    pytest.param({"language": "en"}, 3, 1, 1, id="language"),
    pytest.param({"team": "support"}, 3, 0, 3, id="team"),
    pytest.param({"channel": "viber", "language": "ru"}, 1, 0, 1, id="channel-and-language"),
])
async def test_filters_narrow_the_cohort(client, known, supervisor, filters, conversations, bot_resolved,
                                         handoffs) -> None:
    body = (await client.get("/api/analytics/summary", params={**known.params, **filters},
                             headers=supervisor)).json()
    assert (body["conversations"], body["bot_resolved"], body["handoffs"]) == (conversations, bot_resolved, handoffs)


async def test_a_period_of_one_day_counts_only_that_day(client, known, supervisor) -> None:
    day = known.first_day.date().isoformat()
    body = (await client.get("/api/analytics/summary", params={"from": day, "to": day}, headers=supervisor)).json()
    assert (body["conversations"], body["handoffs"], body["first_response_p50_s"]) == (4, 2, 120.0)
    assert [d["day"] for d in body["series"]] == [day]


async def test_an_empty_period_gives_zeros_and_no_rates(client, supervisor) -> None:
    body = (await client.get("/api/analytics/summary", params={"from": "2020-01-01", "to": "2020-01-31"},
                             headers=supervisor)).json()
    assert (body["conversations"], body["deflection_rate"], body["csat_avg"], body["first_response_p50_s"]) == (
        0, None, None, None)
    assert len(body["series"]) == 31


@pytest.mark.parametrize(("params", "message"), [
    pytest.param({"from": "yesterday"}, "'from' is not a date", id="not-a-date"),
    pytest.param({"from": "2026-02-01", "to": "2026-01-01"}, "before", id="reversed"),
    pytest.param({"from": "2024-01-01", "to": "2026-01-01"}, "at most 366 days", id="too-long"),
    pytest.param({"language": "xx"}, "'language' must be one of uk, ru, en", id="unknown-language"),
    # Found by QA: these gave 200 with all-zero figures, as if nothing had happened.
    pytest.param({"channel": "zzz"}, "'channel' must be one of telegram, viber, webchat", id="unknown-channel"),
    pytest.param({"team": "nope"}, "no team is named 'nope'", id="unknown-team"),
    # Found by QA: a 500 (OverflowError) on the analytics page, the API and the CSV export.
    pytest.param({"from": "9999-12-30", "to": "9999-12-31"}, "'from' must be in the years 1970 to 2999",
                 id="far-future"),
    pytest.param({"from": "0001-01-01"}, "'from' must be in the years", id="far-past"),
    # Found by the second QA pass: checked before the offset was applied, these gave 1969 and 3000 rows.
    pytest.param({"from": "1970-01-01T00:00:00+05:00", "to": "1970-01-02"}, "'from' must be in the years",
                 id="offset-before-1970"),
    pytest.param({"from": "2999-12-31T00:00:00-14:00", "to": "2999-12-31T23:59:59-14:00"},
                 "'to' must be in the years", id="offset-after-2999"),
    pytest.param({"from": "2999-12-01", "to": "9999-12-31T23:00:00-14:00"}, "'to' must be in the years",
                 id="offset-past-python"),
])
async def test_a_bad_period_is_400_with_the_reason(client, supervisor, params, message) -> None:
    response = await client.get("/api/analytics/summary", params=params, headers=supervisor)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    export = await client.get("/api/analytics/export.csv", params=params, headers=supervisor)
    assert export.status_code == 400


async def test_agents_and_editors_may_not_read_analytics(client, session_factory) -> None:
    for role in ("agent", "editor", "integration"):
        headers = await bearer_for(session_factory, role)
        assert (await client.get("/api/analytics/summary", headers=headers)).status_code == 403
        assert (await client.get("/api/analytics/export.csv", headers=headers)).status_code == 403


async def test_csv_export_has_a_row_per_day_and_the_totals_and_is_audited(client, known, session_factory) -> None:
    admin = await bearer_for(session_factory, "admin")
    response = await client.get("/api/analytics/export.csv", params=known.params, headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 7
    # Named after the first and the last day it holds (the period's end is exclusive).
    assert response.headers["content-disposition"] == (
        f'attachment; filename="relaydesk-analytics-{rows[0]["day"]}-{rows[-2]["day"]}.csv"')
    assert rows[0]["day"] == known.first_day.date().isoformat()
    assert (rows[0]["conversations"], rows[0]["bot_resolved"], rows[0]["deflection_rate"]) == ("4", "2", "0.5")
    assert rows[-1] == {"day": "total", "conversations": "8", "bot_resolved": "2", "deflection_rate": "0.25",
                        "handoffs": "4", "handoff_rate": "0.5", "sla_breaches": "3", "csat_avg": "3.67",
                        "csat_count": "3"}
    audit = (await client.get("/api/audit", params={"action": "analytics.export"}, headers=admin)).json()
    assert [record["action"] for record in audit["records"]] == ["analytics.export"]
    assert audit["records"][0]["details"]["from"].startswith(known.first_day.date().isoformat())


async def test_messages_with_nothing_to_read_are_no_unanswered_question(client, session_factory, supervisor) -> None:
    # Found by QA on the demo: "🙂🙂🙂" was listed among the top unanswered questions.
    now = utcnow() - timedelta(minutes=5)
    async with session_factory() as session, session.begin():
        for text in ("🙂🙂🙂", "Do you sell bicycles?"):
            timeline = await start_conversation(session, now, channel="webchat", language="en")
            timeline.customer(now, text).bot(now + timedelta(seconds=1), "Sorry", FALLBACK)
    body = (await client.get("/api/analytics/summary", headers=supervisor)).json()
    assert body["unanswered_topics"] == [{"text": "Do you sell bicycles?", "count": 1}]


async def test_a_conversation_left_with_no_answer_or_unpicked_buttons_is_not_resolved_by_the_bot(
        client, session_factory, supervisor) -> None:
    # Found by QA: 100 % deflection on the same page that listed the fallback questions as unanswered.
    start = utcnow() - timedelta(days=2)
    clarify = {"decision": {"action": "clarify", "reason": "close_candidates", "confidence": 0.3}}
    async with session_factory() as session, session.begin():
        left_with_fallback = await start_conversation(session, start, channel="telegram", language="uk")
        left_with_fallback.customer(start, "велосипеди для собак?").bot(start, "Вибачте…", FALLBACK)
        left_with_buttons = await start_conversation(session, start, channel="viber", language="en")
        left_with_buttons.customer(start, "delivery?").bot(start, "Did you mean…", clarify)
        answered_after_a_fallback = await start_conversation(session, start, channel="webchat", language="en")
        answered_after_a_fallback.customer(start, "dgfhj").bot(start, "Sorry…", FALLBACK)
        answered_after_a_fallback.customer(start + timedelta(minutes=1), "delivery cost?")
        answered_after_a_fallback.bot(start + timedelta(minutes=1))
    day = start.date().isoformat()
    body = (await client.get("/api/analytics/summary", params={"from": day, "to": day}, headers=supervisor)).json()
    assert (body["conversations"], body["bot_resolved"]) == (3, 1)


async def test_a_conversation_closed_into_another_is_no_resolution(client, session_factory, supervisor) -> None:
    # A shopper's second queued conversation, closed when a shared phone joined their records
    # (handoff/joining.py): nobody resolved anything, so it must not shorten the resolution times.
    start = utcnow() - timedelta(days=2)
    async with session_factory() as session, session.begin():
        resolved = await start_conversation(session, start, channel="telegram", language="uk", status="resolved")
        resolved.customer(start, "оператор").event(start, "handoff", reason="explicit_request")
        resolved.event(start + timedelta(seconds=600), "resolved")
        joined = await start_conversation(session, start, channel="viber", language="uk", status="resolved")
        joined.customer(start, "оператор").event(start, "handoff", reason="explicit_request")
        joined.event(start + timedelta(seconds=5), "resolved", reason="joined")
    day = start.date().isoformat()
    body = (await client.get("/api/analytics/summary", params={"from": day, "to": day}, headers=supervisor)).json()
    assert (body["handoffs"], body["resolutions"], body["resolution_p50_s"]) == (2, 1, 600.0)
