"""Security headers on every response and the request body limit."""

import pytest
from litestar import Litestar, get
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from core.models import AuditRecord
from web.app import create_app
from web.security_headers import FRAME_ANCESTORS_OPT, security_headers


def _assert_locked_down(headers) -> None:
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", ["/health", "/api/auth/me", "/no-such-page", "/console/analytics"],
                         ids=["ok", "401", "404", "html-page"])
async def test_every_response_carries_the_security_headers(client, path) -> None:
    _assert_locked_down((await client.get(path)).headers)


@get("/test-widget", exclude_from_auth=True, opt={FRAME_ANCESTORS_OPT: "*"}, media_type="text/html",
     sync_to_thread=False)
def _embeddable() -> str:
    return "<p>widget</p>"


async def test_a_route_may_allow_framing_through_its_opt() -> None:
    async with AsyncTestClient(app=Litestar([_embeddable], before_send=[security_headers])) as client:
        response = await client.get("/test-widget")
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


async def _failed_logins(session_factory) -> int:
    async with session_factory() as session:
        return await session.scalar(select(func.count(AuditRecord.id)).where(AuditRecord.action == "auth.login_failed"))


async def test_a_body_over_the_limit_is_413_and_is_not_processed(settings, session_factory) -> None:
    limited = settings.model_copy(update={"max_request_bytes": 2048})
    async with AsyncTestClient(app=create_app(limited)) as client:
        big = await client.post("/api/auth/login", json={"email": "a@b.c", "password": "x" * 4000})
        assert big.status_code == 413
        assert await _failed_logins(session_factory) == 0
        small = await client.post("/api/auth/login", json={"email": "a@b.c", "password": "x" * 100})
        assert small.status_code == 401
        assert await _failed_logins(session_factory) == 1
