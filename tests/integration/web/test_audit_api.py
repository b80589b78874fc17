"""The audit log viewer: logins, logouts and failures are recorded; admins filter them."""

from datetime import UTC, datetime, timedelta

import pytest

from core.accounts import create_user
from core.database import utcnow
from tests.support.customers import role_headers
from tests.support.staff import bearer_for


async def _login(client, email: str, password: str):
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def test_login_logout_and_failed_login_are_audited_and_filterable(client, session_factory) -> None:
    admin = await bearer_for(session_factory, "admin")
    async with session_factory() as session, session.begin():
        await create_user(session, email="olena@shop.ua", password="agent-password", role="agent")
    token = (await _login(client, "olena@shop.ua", "agent-password")).json()["token"]
    client.cookies.clear()
    await client.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
    await _login(client, "olena@shop.ua", "wrong-password")
    records = (await client.get("/api/audit", params={"action": "auth.*"}, headers=admin)).json()["records"]
    assert [(r["action"], r["actor_email"]) for r in records] == [
        ("auth.login_failed", None), ("auth.logout", "olena@shop.ua"), ("auth.login", "olena@shop.ua")]
    assert records[0]["details"] == {"email": "olena@shop.ua"}
    by_actor = (await client.get("/api/audit", params={"actor": "olena@shop.ua"}, headers=admin)).json()
    assert [r["action"] for r in by_actor["records"]] == ["auth.logout", "auth.login"]
    by_id = (await client.get("/api/audit", params={"actor": str(records[1]["actor_id"]), "action": "auth.login"},
                              headers=admin)).json()
    assert [r["action"] for r in by_id["records"]] == ["auth.login"]


async def test_time_window_and_paging(client, session_factory) -> None:
    admin = await bearer_for(session_factory, "admin")
    async with session_factory() as session, session.begin():
        for n in range(4):
            await create_user(session, email=f"user{n}@shop.ua", password="long-password", role="agent")
    first = (await client.get("/api/audit", params={"action": "user.create", "limit": 2}, headers=admin)).json()
    assert len(first["records"]) == 2 and first["next_before"] is not None
    rest = (await client.get("/api/audit", params={"action": "user.create", "limit": 2,
                                                   "before": first["next_before"]}, headers=admin)).json()
    # Four user.create records, newest first.
    assert len(rest["records"]) == 2
    assert max(r["id"] for r in rest["records"]) < min(r["id"] for r in first["records"])
    last = (await client.get("/api/audit", params={"action": "user.create", "before": rest["records"][-1]["id"]},
                             headers=admin)).json()
    assert last == {"records": [], "next_before": None}
    future = (utcnow() + timedelta(hours=1)).isoformat()
    assert (await client.get("/api/audit", params={"from": future}, headers=admin)).json()["records"] == []
    past = (utcnow() - timedelta(hours=1)).isoformat()
    assert (await client.get("/api/audit", params={"to": past}, headers=admin)).json()["records"] == []


async def test_only_admins_read_the_audit_log(client, session_factory) -> None:
    supervisor = await bearer_for(session_factory, "supervisor")
    assert (await client.get("/api/audit", headers=supervisor)).status_code == 403
    admin = await bearer_for(session_factory, "admin")
    assert (await client.get("/api/audit", params={"limit": 0}, headers=admin)).status_code == 400


@pytest.mark.parametrize(("params", "field"), [
    pytest.param({"from": "9999-12-31T23:59:59-14:00"}, "from", id="from-after-year-9999-in-utc"),
    pytest.param({"to": "0001-01-01T00:00:00+14:00"}, "to", id="to-before-year-1-in-utc"),
    pytest.param({"to": "abc"}, "to", id="to-not-a-date"),
    pytest.param({"to": "0.5"}, "to", id="to-a-unix-time"),
])
async def test_a_bad_bound_is_400_naming_the_query_parameter(client, session_factory, params, field) -> None:
    admin = (await role_headers(session_factory, "admin"))["admin"]
    response = await client.get("/api/audit", params=params, headers=admin)
    assert response.status_code == 400, response.text
    assert [problem["field"] for problem in response.json()["extra"]] == [field]
    assert response.json()["detail"].startswith(f"'{field}' ")


async def test_audit_bounds_may_be_plain_dates_as_in_analytics(client, session_factory) -> None:
    admin = (await role_headers(session_factory, "admin"))["admin"]
    assert (await client.post("/api/tokens", json={"name": "qa"}, headers=admin)).status_code == 201
    [record] = (await client.get("/api/audit", headers=admin)).json()["records"]
    day = datetime.fromisoformat(record["created_at"]).astimezone(UTC).date()
    # A plain `to` counts its whole day, as in analytics.
    same_day = await client.get("/api/audit", params={"from": day.isoformat(), "to": day.isoformat()}, headers=admin)
    assert same_day.status_code == 200, same_day.text
    assert [r["id"] for r in same_day.json()["records"]] == [record["id"]]
    next_day = (day + timedelta(days=1)).isoformat()
    assert (await client.get("/api/audit", params={"from": next_day}, headers=admin)).json()["records"] == []
