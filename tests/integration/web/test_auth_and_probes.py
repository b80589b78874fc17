"""Staff login end to end (CLI-created user → token → authorised calls) and the health probes."""

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import make_settings
from tests.support.cli import run_cli
from web.app import create_app


async def _login(client, email: str, password: str):
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def test_cli_created_user_logs_in_and_uses_the_token(settings, client) -> None:
    result = run_cli("users", "create", "--email", "Olena@Shop.ua", "--password", "correct-horse",
                     "--role", "agent", "--team", "support",
                     env={"RELAYDESK_DATABASE_URL": settings.database_url})
    assert result.returncode == 0, result.stderr
    response = await _login(client, "olena@shop.ua", "correct-horse")
    assert response.status_code == 200
    token = response.json()["token"]
    assert response.json()["user"]["role"] == "agent"
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["email"] == "olena@shop.ua"
    assert me.json()["team_id"] is not None


async def test_users_create_rejects_a_duplicate_email(settings) -> None:
    env = {"RELAYDESK_DATABASE_URL": settings.database_url}
    args = ("users", "create", "--email", "a@b.c", "--password", "long-enough", "--role", "editor")
    assert run_cli(*args, env=env).returncode == 0
    second = run_cli(*args, env=env)
    assert second.returncode == 1
    assert "exists" in second.stderr


async def test_users_create_rejects_an_unknown_role(settings) -> None:
    result = run_cli("users", "create", "--email", "a@b.c", "--password", "long-enough", "--role", "boss",
                     env={"RELAYDESK_DATABASE_URL": settings.database_url})
    assert result.returncode != 0
    assert "boss" in result.stderr


@pytest.fixture
async def agent(session_factory):
    from core.accounts import create_user

    async with session_factory() as session, session.begin():
        await create_user(session, email="agent@shop.ua", password="agent-password", role="agent")


async def test_wrong_password_and_missing_token_are_401(client, agent) -> None:
    assert (await _login(client, "agent@shop.ua", "nope-nope")).status_code == 401
    assert (await _login(client, "ghost@shop.ua", "agent-password")).status_code == 401
    assert (await client.get("/api/auth/me")).status_code == 401
    bad = await client.get("/api/auth/me", headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401


async def test_repeated_failures_lock_the_account(client, agent) -> None:
    for _ in range(5):
        await _login(client, "agent@shop.ua", "wrong-password")
    # Even the right password is refused while the account is locked.
    assert (await _login(client, "agent@shop.ua", "agent-password")).status_code == 401


async def test_cookie_session_needs_the_csrf_token_for_writes(client, agent) -> None:
    login = await _login(client, "agent@shop.ua", "agent-password")
    assert "httponly" in login.headers["set-cookie"].lower()
    assert "samesite=strict" in login.headers["set-cookie"].lower()
    # The client keeps the cookie: reads work without any header.
    assert (await client.get("/api/auth/me")).status_code == 200
    assert (await client.post("/api/auth/logout")).status_code == 403
    csrf = login.json()["csrf_token"]
    assert (await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})).status_code == 200
    client.cookies.clear()
    token = login.json()["token"]
    assert (await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})).status_code == 401


async def test_logout_everywhere_revokes_every_session(client, agent) -> None:
    first = (await _login(client, "agent@shop.ua", "agent-password")).json()["token"]
    client.cookies.clear()  # a second device: a browser that already holds the session keeps it
    second = (await _login(client, "agent@shop.ua", "agent-password")).json()["token"]
    client.cookies.clear()
    out = await client.post("/api/auth/logout?everywhere=true", headers={"Authorization": f"Bearer {first}"})
    assert out.json()["revoked"] == 2
    assert (await client.get("/api/auth/me", headers={"Authorization": f"Bearer {second}"})).status_code == 401


async def test_health_ready_and_schema(client, backend) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    expected = {"database": "ok", "redis": "ok"} if backend.redis_url else {"database": "ok"}
    assert ready.json()["checks"] == expected
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/auth/login" in schema["paths"]


async def test_ready_is_503_naming_what_is_down(backend) -> None:
    settings = make_settings(backend, database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none",
                             redis_url="redis://127.0.0.1:9/0")
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json()["down"] == ["database", "redis"]
