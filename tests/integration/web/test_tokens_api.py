"""API tokens: issued once, hashed at rest, listed without secrets, revocable; the tokens CLI."""

from sqlalchemy import select

from core.accounts import hash_token
from core.models import AuditRecord, AuthToken
from tests.support.cli import run_cli
from tests.support.staff import bearer_for


async def test_admin_creates_an_integration_token_that_works_and_is_stored_hashed(client, session_factory) -> None:
    admin = await bearer_for(session_factory, "admin")
    created = await client.post("/api/tokens", json={"name": "Shop backend", "role": "integration"}, headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["name"], body["role"]) == ("Shop backend", "integration")
    assert body["user_email"].endswith("@integrations.relaydesk.invalid")
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert (me.status_code, me.json()["role"]) == (200, "integration")
    async with session_factory() as session:
        stored = await session.get(AuthToken, body["id"])
        assert stored.token_hash == hash_token(body["token"])
        assert body["token"] not in (stored.token_hash, stored.name)
        actions = (await session.scalars(select(AuditRecord.action))).all()
    assert "token.create" in actions
    listed = (await client.get("/api/tokens", headers=admin)).json()
    assert [(t["id"], t["role"]) for t in listed] == [(body["id"], "integration")]
    assert all("token" not in t for t in listed)


async def test_revoked_token_is_refused_at_once(client, session_factory) -> None:
    admin = await bearer_for(session_factory, "admin")
    body = (await client.post("/api/tokens", json={"name": "CRM", "role": "integration"}, headers=admin)).json()
    assert (await client.delete(f"/api/tokens/{body['id']}", headers=admin)).status_code == 204
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 401
    assert (await client.get("/api/tokens", headers=admin)).json() == []
    with_revoked = (await client.get("/api/tokens?include_revoked=true", headers=admin)).json()
    assert with_revoked[0]["revoked_at"] is not None
    again = await client.delete(f"/api/tokens/{body['id']}", headers=admin)
    assert (again.status_code, again.json()["detail"]) == (409, f"API token {body['id']} is already revoked")
    unknown = await client.delete(f"/api/tokens/{body['id'] + 1}", headers=admin)
    assert (unknown.status_code, unknown.json()["detail"]) == (404, f"no API token {body['id'] + 1}")


async def test_someone_elses_revoked_token_stays_hidden(client, session_factory) -> None:
    """A revoked token of another user is 404, not 409: staff learn nothing of others' tokens."""
    admin = await bearer_for(session_factory, "admin")
    agent = await bearer_for(session_factory, "agent")
    body = (await client.post("/api/tokens", json={"name": "CRM", "role": "integration"}, headers=admin)).json()
    assert (await client.delete(f"/api/tokens/{body['id']}", headers=admin)).status_code == 204
    assert (await client.delete(f"/api/tokens/{body['id']}", headers=agent)).status_code == 404


async def test_staff_manage_only_their_own_tokens(client, session_factory) -> None:
    agent = await bearer_for(session_factory, "agent")
    other = await bearer_for(session_factory, "supervisor")
    own = (await client.post("/api/tokens", json={"name": "my script"}, headers=agent)).json()
    assert (own["role"], own["user_email"]) == ("agent", "agent@shop.ua")
    theirs = (await client.post("/api/tokens", json={"name": "their script"}, headers=other)).json()
    assert [t["id"] for t in (await client.get("/api/tokens", headers=agent)).json()] == [own["id"]]
    assert (await client.delete(f"/api/tokens/{theirs['id']}", headers=agent)).status_code == 404
    refused = await client.post("/api/tokens", json={"name": "escalate", "role": "admin"}, headers=agent)
    assert refused.status_code == 403
    assert "only admins" in refused.json()["detail"]


async def test_bad_token_requests_are_400(client, session_factory) -> None:
    admin = await bearer_for(session_factory, "admin")
    unknown_role = await client.post("/api/tokens", json={"name": "x", "role": "boss"}, headers=admin)
    assert (unknown_role.status_code, "unknown role" in unknown_role.json()["detail"]) == (400, True)
    assert (await client.post("/api/tokens", json={"name": ""}, headers=admin)).status_code == 400
    assert (await client.post("/api/tokens", json={}, headers=admin)).status_code == 400


async def test_tokens_cli_issues_a_working_token_and_revokes_it(client, session_factory, settings) -> None:
    await bearer_for(session_factory, "editor", email="iryna@shop.ua")
    env = {"RELAYDESK_DATABASE_URL": settings.database_url}
    created = run_cli("tokens", "create", "--email", "Iryna@Shop.ua", "--name", "kb sync", env=env)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip().splitlines()[-1]
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["email"] == "iryna@shop.ua"
    token_id = created.stdout.split()[1]
    assert run_cli("tokens", "revoke", token_id, env=env).returncode == 0
    assert (await client.get("/api/auth/me", headers={"Authorization": f"Bearer {secret}"})).status_code == 401


async def test_tokens_cli_rejects_an_unknown_account(settings) -> None:
    result = run_cli("tokens", "create", "--email", "ghost@shop.ua", "--name", "x",
                     env={"RELAYDESK_DATABASE_URL": settings.database_url})
    assert result.returncode == 1
    assert "no active staff account" in result.stderr
