"""An unhandled exception is logged with its traceback (outside debug mode too) and answered with a plain 500."""

import logging

from litestar import get, post
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient

from core.errors import NotFoundError
from web.app import create_app

SECRET_BODY = {"password": "correct-horse-battery-staple"}
SECRET_QUERY = "token=query-secret-42"


class Kaboom(RuntimeError):
    """What the failing route raises."""


@post("/test-kaboom", exclude_from_auth=True, sync_to_thread=False)
def _fails(data: JSONBody[dict]) -> None:
    raise Kaboom("the database went away")


@get("/test-missing", exclude_from_auth=True, sync_to_thread=False)
def _missing() -> None:
    raise NotFoundError("no such thing")


def _error_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "web.errors"]


async def test_an_unhandled_exception_is_logged_and_answered_with_litestars_500(settings, caplog) -> None:
    app = create_app(settings)
    assert app.debug is False
    app.register(_fails)
    caplog.set_level(logging.INFO)
    async with AsyncTestClient(app=app) as client:
        response = await client.post(f"/test-kaboom?{SECRET_QUERY}", json=SECRET_BODY)
    assert response.status_code == 500
    assert response.json() == {"status_code": 500, "detail": "Internal Server Error"}
    assert "the database went away" not in response.text  # nothing internal reaches the client
    assert response.headers["x-content-type-options"] == "nosniff"  # still a response of this app
    [record] = _error_records(caplog)
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "unhandled exception in POST /test-kaboom"
    assert record.exc_info is not None and isinstance(record.exc_info[1], Kaboom)
    logged = logging.Formatter().format(record)
    assert "Kaboom: the database went away" in logged  # with the traceback
    assert "correct-horse" not in logged and "query-secret" not in logged  # neither body nor query string


async def test_errors_the_app_handles_are_not_logged_as_unhandled(settings, caplog) -> None:
    app = create_app(settings)
    app.register(_missing)
    caplog.set_level(logging.INFO)
    async with AsyncTestClient(app=app) as client:
        domain = await client.get("/test-missing")
        no_route = await client.get("/no-such-page")
        unauthenticated = await client.get("/api/auth/me")
    assert (domain.status_code, domain.json()["detail"]) == (404, "no such thing")
    assert (no_route.status_code, unauthenticated.status_code) == (404, 401)
    assert _error_records(caplog) == []
