"""The published OpenAPI schema tells the truth: error answers, article bodies, ``OPTIONS``, filter values.

QA ran schemathesis against ``/schema/openapi.json`` (finding F4): operations documented only their
success and 400 while answering 401/403/404/409/413, the article bodies were "any object",
``OPTIONS`` listed one handler's methods, and some filters took any value silently.
"""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from tests.support.kb import article_body, staff_headers
from tests.support.staff import bearer_for
from web.app import create_app

ERROR_SCHEMA = "#/components/schemas/ErrorBody"
WRITE_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
async def schema(client) -> dict:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
async def editor(session_factory, client):
    return await staff_headers(session_factory, client, "editor")


def _documented(schema: dict, method: str, path: str) -> set[int]:
    return {int(status) for status in schema["paths"][path][method]["responses"]}


def _error_schema(schema: dict, method: str, path: str, status: int) -> str:
    return schema["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]["$ref"]


async def test_operations_document_the_errors_they_answer(schema) -> None:
    assert {400, 401, 403, 404} <= _documented(schema, "get", "/api/articles/{ref}")
    assert {400, 401, 403, 404, 409, 413} <= _documented(schema, "patch", "/api/articles/{ref}")
    assert {400, 401, 403, 409, 413} <= _documented(schema, "post", "/api/articles")
    assert 404 not in _documented(schema, "post", "/api/articles")  # no path parameter: nothing to miss
    assert 409 not in _documented(schema, "get", "/api/articles/{ref}")
    assert 401 in _documented(schema, "post", "/api/auth/login")  # a wrong password, declared by the handler
    assert 401 not in _documented(schema, "get", "/health")  # open to everyone
    assert 409 in _documented(schema, "delete", "/api/tokens/{token_id}")
    assert 404 in _documented(schema, "post", "/api/kb/unanswered/add-to-article")  # the body names the article
    for status in (401, 403, 404):
        assert _error_schema(schema, "get", "/api/articles/{ref}", status) == ERROR_SCHEMA
    error_body = schema["components"]["schemas"]["ErrorBody"]
    assert set(error_body["required"]) == {"status_code", "detail"}
    assert {"status_code", "detail", "extra"} <= set(error_body["properties"])


async def test_every_api_operation_documents_401_and_403_and_404_for_its_path_parameters(schema) -> None:
    missing = []
    for path, item in schema["paths"].items():
        if not path.startswith("/api") or path == "/api/auth/login":
            continue
        for method, operation in item.items():
            if method not in WRITE_METHODS:
                continue
            expected = {"400", "401", "403"} | ({"404"} if "{" in path else set())
            if not expected <= set(operation["responses"]):
                missing.append(f"{method.upper()} {path}: {sorted(expected - set(operation['responses']))}")
    assert missing == []


async def test_documented_errors_are_answered_in_the_documented_shape(client, schema, editor) -> None:
    anonymous = await client.get("/api/articles/nothing-here")
    assert anonymous.status_code == 401
    missing = await client.get("/api/articles/nothing-here", headers=editor)
    assert missing.status_code == 404
    await client.post("/api/articles", json=article_body(), headers=editor)
    taken = await client.post("/api/articles", json=article_body(), headers=editor)
    assert taken.status_code == 409
    properties = set(schema["components"]["schemas"]["ErrorBody"]["properties"])
    for response in (anonymous, missing, taken):
        body = response.json()
        assert body["status_code"] == response.status_code and body["detail"]
        assert set(body) <= properties, body


async def test_a_documented_413_is_answered_in_the_documented_shape(settings, session_factory) -> None:
    headers = await bearer_for(session_factory, "editor")
    limited = settings.model_copy(update={"max_request_bytes": 2048})
    async with AsyncTestClient(app=create_app(limited)) as client:
        schema = (await client.get("/schema/openapi.json")).json()
        assert 413 in _documented(schema, "post", "/api/articles")
        big = await client.post("/api/articles", json={"slug": "x" * 4000}, headers=headers)
    assert big.status_code == 413
    assert big.json()["status_code"] == 413


async def test_the_article_bodies_list_their_fields(schema) -> None:
    create = schema["paths"]["/api/articles"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"slug", "title", "variants"} <= set(create["required"])
    assert {"slug", "title", "variants", "tags", "status", "source_language"} <= set(create["properties"])
    assert create["properties"]["status"]["enum"] == ["draft"]
    variants = create["properties"]["variants"]
    assert sorted(variants["properties"]) == ["en", "ru", "uk"]
    assert variants["properties"]["uk"]["required"] == ["answer"]
    assert {"answer", "questions", "title"} <= set(variants["properties"]["uk"]["properties"])
    assert re.match(create["properties"]["slug"]["pattern"], "delivery-cost")
    change = schema["paths"]["/api/articles/{ref}"]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert change["required"] == ["version"]
    assert change["properties"]["version"]["type"] == "integer"
    assert {"slug", "title", "variants", "status"} <= set(change["properties"])


@pytest.mark.parametrize("path", [
    pytest.param("/api/articles/{ref}/publish", id="publish"),
    pytest.param("/api/articles/{ref}/versions/{number}/restore", id="restore"),
])
async def test_publish_and_restore_document_their_optional_version_guard_and_its_409(schema, path) -> None:
    operation = schema["paths"][path]["post"]
    assert 409 in _documented(schema, "post", path)
    guard = operation["requestBody"]["content"]["application/json"]["schema"]
    described = guard if "properties" in guard else next(s for s in guard["oneOf"] if "properties" in s)
    assert described["properties"]["version"]["type"] == "integer"
    assert "409" in described["properties"]["version"]["description"]


async def test_the_article_validation_is_unchanged_by_the_documentation(client, editor) -> None:
    """parse_article stays the judge: every problem listed at once, in its own words."""
    refused = await client.post("/api/articles", json={"slug": "Bad Slug", "variants": {"zz": {}}}, headers=editor)
    assert refused.status_code == 400
    fields = {problem["field"] for problem in refused.json()["extra"]}
    assert {"slug", "title", "variants.zz"} <= fields
    no_version = await client.patch("/api/articles/anything", json={"title": "x"}, headers=editor)
    assert no_version.status_code == 400
    assert no_version.json()["extra"] == [{"field": "version", "error": "required, an integer"}]


async def test_options_lists_every_method_of_the_path(client) -> None:
    articles = await client.options("/api/articles")
    assert articles.status_code == 204
    assert set(articles.headers["allow"].split(", ")) == {"GET", "POST", "OPTIONS"}
    one = await client.options("/api/articles/delivery-cost")
    assert set(one.headers["allow"].split(", ")) == {"GET", "PATCH", "DELETE", "OPTIONS"}


async def test_options_matches_the_schema_on_every_path(client, schema) -> None:
    wrong = []
    for path, item in schema["paths"].items():
        url = re.sub(r"\{\w+\}", "1", path)
        documented = {method.upper() for method in item if method in WRITE_METHODS} | {"OPTIONS"}
        allowed = set((await client.options(url)).headers.get("allow", "").split(", "))
        if not documented <= allowed:
            wrong.append(f"{path}: Allow {sorted(allowed)}, documented {sorted(documented)}")
    assert wrong == []


@pytest.mark.parametrize(("url", "allowed"), [
    ("/api/articles?status=bogus", "draft, published, archived"),
    ("/api/kb/search?q=hello&language=zz", "uk, ru, en"),
    ("/api/canned-responses?language=zz", "uk, ru, en"),
])
async def test_an_unknown_filter_value_is_a_400_naming_the_allowed_ones(session_factory, client, url, allowed) -> None:
    headers = await staff_headers(session_factory, client, "admin")
    response = await client.get(url, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["detail"].endswith(f"; one of {allowed}")
    name = url.rsplit("&", 1)[-1].split("?")[-1].split("=")[0]
    assert response.json()["extra"] == [{"field": name, "error": f"unknown {name}"}]


async def test_known_filter_values_still_answer(session_factory, client, schema) -> None:
    headers = await staff_headers(session_factory, client, "admin")
    assert (await client.get("/api/articles?status=archived", headers=headers)).json() == []
    assert (await client.get("/api/canned-responses?language=uk", headers=headers)).status_code == 200
    statuses = [p for p in schema["paths"]["/api/articles"]["get"]["parameters"] if p["name"] == "status"]
    assert statuses[0]["schema"]["enum"] == ["draft", "published", "archived"]


async def test_the_webhooks_document_their_refusal_of_a_forged_call(backend, telegram, viber) -> None:
    """Telegram's secret token and Viber's signature: a wrong one is 401 and 403, and the schema says so."""
    from tests.support.channels import channel_settings

    async with AsyncTestClient(app=create_app(channel_settings(backend, telegram=telegram, viber=viber,
                                                               run_workers=False))) as client:
        schema = (await client.get("/schema/openapi.json")).json()
    assert 401 in _documented(schema, "post", "/webhooks/telegram")
    assert 403 in _documented(schema, "post", "/webhooks/viber")
