"""Every /api route in the OpenAPI schema, called with every role: the guard decides, exactly.

Generic on purpose: it reads the routes from the running app and its schema, so routes added by
any package are covered without touching this file. For each operation:

* anonymous gets 401 (only the routes in ``PUBLIC_API`` are open);
* a role outside the route's ``requires(...)`` guard gets 403 from the guard;
* a role inside it gets past the guard (no 401, no guard 403) and no server error, even with
  placeholder path values and an empty body.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from litestar.routes import HTTPRoute, WebSocketRoute

from core.accounts import issue_token
from core.settings import ROLES
from tests.support.staff import add_staff

PUBLIC_API = {("POST", "/api/auth/login")}
GUARD_REFUSAL = re.compile(r"^role '\w+' may not do this")
WRITE_METHODS = {"POST", "PUT", "PATCH"}


def _schema_path(path: str) -> str:
    """``/api/tokens/{token_id:int}`` → ``/api/tokens/{token_id}`` (the OpenAPI spelling)."""
    return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", path)


def _allowed_roles(handler) -> frozenset[str] | None:
    """The roles every role guard on the way (app, router, controller, handler) lets through."""
    allowed = None
    for guard in handler.resolve_guards():
        guard = getattr(guard, "func", guard)  # litestar wraps sync guards in an AsyncCallable
        if hasattr(guard, "allowed_roles"):
            allowed = guard.allowed_roles if allowed is None else allowed & guard.allowed_roles
    return allowed


def _api_operations(app) -> dict[tuple[str, str], object]:
    operations = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api"):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods - {"HEAD", "OPTIONS"}:
                operations[(method, _schema_path(route.path))] = handler
    return operations


@pytest.fixture
async def token_factory(session_factory):
    users = {}
    async with session_factory() as session, session.begin():
        for role in ROLES:
            users[role] = await add_staff(session, email=f"matrix-{role}@shop.ua", role=role)

    async def token_for(role: str) -> str:
        # A fresh token per call: a route such as logout may revoke the one it was called with.
        async with session_factory() as session, session.begin():
            return (await issue_token(session, users[role], kind="session", ttl=timedelta(hours=1))).secret

    return token_for


async def test_every_api_route_is_documented_and_guarded(client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    documented = {(method.upper(), path) for path, item in schema["paths"].items() if path.startswith("/api")
                  for method in item if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}}
    operations = _api_operations(client.app)
    assert set(operations) == documented, "every /api route must appear in the OpenAPI schema"
    unguarded = sorted(key for key, handler in operations.items()
                       if key not in PUBLIC_API and _allowed_roles(handler) is None)
    assert unguarded == [], "these /api routes have no requires(...) guard"
    public = {key for key, handler in operations.items() if handler.opt.get("exclude_from_auth")}
    assert public == PUBLIC_API


async def test_every_websocket_route_is_guarded(client) -> None:
    for route in client.app.routes:
        if isinstance(route, WebSocketRoute):
            handler = route.route_handler
            assert handler.opt.get("exclude_from_auth") or _allowed_roles(handler), route.path


async def test_each_role_gets_exactly_what_the_guard_allows(client, token_factory) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    operations = _api_operations(client.app)
    problems = []
    for path, item in sorted(schema["paths"].items()):
        if not path.startswith("/api"):
            continue
        url = re.sub(r"\{\w+\}", "1", path)
        for method in sorted(m.upper() for m in item if m.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}):
            allowed = _allowed_roles(operations[(method, path)])
            body = {"json": {}} if method in WRITE_METHODS else {}
            client.cookies.clear()
            anonymous = await client.request(method, url, **body)
            if (method, path) not in PUBLIC_API and anonymous.status_code != 401:
                problems.append(f"{method} {path} anonymous: {anonymous.status_code}, expected 401")
            if allowed is None:
                continue
            for role in ROLES:
                headers = {"Authorization": f"Bearer {await token_factory(role)}"}
                response = await client.request(method, url, headers=headers, **body)
                refused_by_guard = response.status_code == 403 and GUARD_REFUSAL.match(_detail(response))
                if role in allowed and (response.status_code in (401, 500) or refused_by_guard):
                    problems.append(f"{method} {path} {role}: {response.status_code} {_detail(response)}")
                if role not in allowed and not refused_by_guard:
                    problems.append(f"{method} {path} {role}: {response.status_code}, expected the guard's 403")
    assert problems == []


def _detail(response) -> str:
    try:
        return str(response.json().get("detail", ""))
    except ValueError:
        return response.text[:200]


async def test_the_matrix_of_the_routes_with_fixed_roles(client) -> None:
    """A few routes whose audience is part of the product, pinned so a guard change is deliberate."""
    operations = _api_operations(client.app)
    expected = {
        ("GET", "/api/analytics/summary"): {"admin", "supervisor"},
        ("GET", "/api/analytics/export.csv"): {"admin", "supervisor"},
        ("GET", "/api/audit"): {"admin"},
        ("POST", "/api/tokens"): {"admin", "supervisor", "agent", "editor"},
        ("GET", "/api/auth/me"): set(ROLES),
    }
    assert {key: set(_allowed_roles(operations[key])) for key in expected} == expected
