"""The audit log viewer: logins, logouts and failures are recorded; admins filter them."""

from datetime import timedelta

from core.accounts import create_user
from core.database import utcnow
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
