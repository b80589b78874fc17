"""The /console/analytics page over HTTP: who sees what, and the figures it renders."""

import re

import pytest

from tests.support.analytics_data import seed_known_set
from tests.support.staff import add_staff


@pytest.fixture
async def known(session_factory):
    known = await seed_known_set(session_factory)
    async with session_factory() as session, session.begin():
        await add_staff(session, email="taras@shop.ua", password="supervisor-pw", role="supervisor", name="Taras")
    return known


async def _sign_in(client, email: str, password: str) -> None:
    response = await client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200


def _figure(html: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1)


async def test_without_a_session_the_page_asks_to_sign_in(client) -> None:
    response = await client.get("/console/analytics")
    assert response.status_code == 401
    assert 'id="signin"' in response.text
    assert '<script src="/console/analytics/static/analytics.js">' in response.text
    script = await client.get("/console/analytics/static/analytics.js")
    assert script.status_code == 200 and "/api/auth/login" in script.text


async def test_an_agent_is_refused(client, known) -> None:
    await _sign_in(client, "olena@shop.ua", "agent-password")
    response = await client.get("/console/analytics")
    assert response.status_code == 403
    assert "supervisors and admins" in response.text


async def test_a_supervisor_sees_the_figures_of_the_period(client, known) -> None:
    await _sign_in(client, "taras@shop.ua", "supervisor-pw")
    response = await client.get("/console/analytics", params=known.params)
    assert response.status_code == 200
    html = response.text
    assert response.headers["content-type"].startswith("text/html")
    assert {name: _figure(html, name) for name in (
        "conversations", "bot_resolved", "deflection_rate", "handoffs", "handoff_rate", "first_response_p50_s",
        "first_response_p90_s", "resolution_p50_s", "csat_avg", "csat_count", "sla_breaches")} == {
        "conversations": "8", "bot_resolved": "2", "deflection_rate": "25.0%", "handoffs": "4",
        "handoff_rate": "50.0%", "first_response_p50_s": "5m 0s", "first_response_p90_s": "10m 0s",
        "resolution_p50_s": "30m 0s", "csat_avg": "3.67", "csat_count": "3 ratings", "sla_breaches": "3"}
    assert f'href="/api/analytics/export.csv?from={known.params["from"]}&amp;to={known.params["to"]}"' in html
    assert '<option value="telegram">' in html and '<option value="vip">' in html


async def test_filters_are_kept_in_the_form_and_the_export_link(client, known) -> None:
    await _sign_in(client, "taras@shop.ua", "supervisor-pw")
    html = (await client.get("/console/analytics", params={**known.params, "channel": "telegram"})).text
    assert _figure(html, "conversations") == "4"
    assert '<option value="telegram" selected>' in html
    assert "channel=telegram" in re.search(r'data-testid="csv-export" href="([^"]+)"', html).group(1)


async def test_a_bad_period_shows_the_reason(client, known) -> None:
    await _sign_in(client, "taras@shop.ua", "supervisor-pw")
    response = await client.get("/console/analytics", params={"from": "2026-13-01"})
    assert response.status_code == 400
    assert "is not a date" in response.text
