"""A client that hangs up mid-body is logged as one INFO line, not as an unhandled error (found by QA)."""

import logging

from litestar import put
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient

from web.app import create_app


@put("/test-upload", exclude_from_auth=True, sync_to_thread=False)
def _upload(data: JSONBody[dict]) -> dict:
    return data


async def test_a_client_leaving_mid_body_is_not_logged_as_a_server_error(settings, caplog) -> None:
    app = create_app(settings)
    app.register(_upload)
    caplog.set_level(logging.DEBUG)
    # What uvicorn hands the app when the client promised a Content-Length and closed after part of it.
    events = iter([{"type": "http.request", "body": b'{"skills": ["ret', "more_body": True},
                   {"type": "http.disconnect"}])
    sent = []

    async def receive():
        return next(events)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "PUT",
             "scheme": "http", "path": "/test-upload", "raw_path": b"/test-upload", "query_string": b"",
             "root_path": "", "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000)}
    async with AsyncTestClient(app=app):  # runs the app's start-up, as a server would
        await app(scope, receive, send)
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [400]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    [record] = [r for r in caplog.records if r.name == "web.errors"]
    assert (record.levelno, record.exc_info) == (logging.INFO, None)
    assert record.getMessage() == "client disconnected before sending the whole body of PUT /test-upload"
