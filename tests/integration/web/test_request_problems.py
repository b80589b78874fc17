"""400 answers list every bad field at once, in one shape: ``extra: [{"field", "error"}]`` (found by QA)."""

from __future__ import annotations

import pytest

from tests.support.handoff import make_agent, make_team, token_for
from tests.support.kb import article_body, staff_headers


@pytest.fixture
async def supervisor(session_factory) -> dict[str, str]:
    await make_team(session_factory, "t1", skills=["general"])
    return await token_for(session_factory, await make_agent(session_factory, "boss@shop.ua", role="supervisor"))


async def test_a_team_update_lists_every_bad_field_and_changes_nothing(client, supervisor) -> None:
    response = await client.put("/api/teams/t1", headers=supervisor, json={
        "skills": "returns", "is_vip": "yes", "timezone": "Nowhere", "first_response_sla_s": -1})
    assert response.status_code == 400
    body = response.json()
    assert [p["field"] for p in body["extra"]] == ["skills", "is_vip", "timezone", "first_response_sla_s"]
    assert body["detail"].startswith("skills: ") and "; is_vip: " in body["detail"]
    [team] = (await client.get("/api/teams", headers=supervisor)).json()
    assert (team["skills"], team["is_vip"], team["timezone"]) == (["general"], False, "Europe/Kyiv")


async def test_a_team_field_of_the_wrong_type_does_not_save_the_good_ones(client, supervisor) -> None:
    response = await client.put("/api/teams/t1", headers=supervisor, json={"is_vip": "yes", "skills": ["returns"]})
    assert [p["field"] for p in response.json()["extra"]] == ["is_vip"]
    [team] = (await client.get("/api/teams", headers=supervisor)).json()
    assert team["skills"] == ["general"]


async def test_a_new_article_lists_every_problem(client, session_factory) -> None:
    editor = await staff_headers(session_factory, client, "editor")
    body = article_body(slug="Bad Slug!", title="", status="published")
    body["variants"]["de"] = {"answer": "Hallo", "questions": ["Was?"]}
    response = await client.post("/api/articles", json=body, headers=editor)
    assert response.status_code == 400
    assert [p["field"] for p in response.json()["extra"]] == ["status", "slug", "title", "variants.de"]


@pytest.mark.parametrize("method, path", [("PUT", "/api/teams/t1"), ("POST", "/api/articles")])
async def test_a_missing_body_is_named_in_words(client, session_factory, method, path) -> None:
    headers = {**await staff_headers(session_factory, client, "admin"), "Content-Type": "application/json"}
    response = await client.request(method, path, headers=headers, content=b"")
    assert response.status_code == 400
    assert response.json()["detail"] == "a JSON body is required"


async def test_a_shape_litestar_refuses_has_the_apps_error_shape(client, session_factory) -> None:
    await make_team(session_factory, "support")
    olena = await token_for(session_factory, await make_agent(session_factory, "olena@shop.ua", team="support"))
    response = await client.post("/api/conversations/1/transfer", headers=olena, json={"team": "x" * 100})
    body = response.json()
    assert response.status_code == 400
    assert [set(problem) for problem in body["extra"]] == [{"field", "error"}]
    assert body["extra"][0]["field"] == "team"
    assert body["detail"].startswith("team: ") and "64 characters" in body["detail"]


async def test_json_nested_too_deeply_is_400_even_before_sign_in(client, caplog) -> None:
    # Found by QA: 1,000 nested lists on the anonymous sign-in answered 500 and logged a traceback.
    body = '{"email": ' + "[" * 1000 + "]" * 1000 + ', "password": "x"}'
    response = await client.post("/api/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["detail"]) == (400, "the JSON body is nested too deeply")
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/conversations/99999999999999999999999", None),
    ("POST", "/api/agents/99999999999999999999999/status", {"status": "online"}),
    ("PUT", "/api/teams/t1", {"first_response_sla_s": 99999999999999999999}),
])
async def test_a_number_beyond_what_the_database_stores_is_400(client, supervisor, caplog, method, path,
                                                               body) -> None:
    # Found by QA: OverflowError (SQLite) answered 500 with a traceback in the log.
    response = await client.request(method, path, json=body, headers=supervisor)
    assert (response.status_code, response.json()["detail"]) == (400, "a number in the request is out of range")
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_a_team_name_with_control_characters_is_refused_and_skills_are_kept_once(client, supervisor) -> None:
    # Found by QA: PUT /api/teams/%00 created a team named "\u0000"; ["a", "a", ""] stored ["a", "a"].
    refused = await client.put("/api/teams/%01", json={}, headers=supervisor)
    assert (refused.status_code, refused.json()["extra"]) == (
        400, [{"field": "name", "error": "control characters are not allowed"}])
    assert (await client.put("/api/teams/%00", json={}, headers=supervisor)).status_code == 400
    saved = await client.put("/api/teams/t1", json={"skills": ["a", "a", " ", "b"]}, headers=supervisor)
    assert saved.json()["skills"] == ["a", "b"]
    assert [t["name"] for t in (await client.get("/api/teams", headers=supervisor)).json()] == ["t1"]


@pytest.mark.parametrize(("path", "body", "field"), [
    pytest.param("/api/auth/login", {"email": "a\u0000@b.c", "password": "x"}, "email", id="sign-in"),
    pytest.param("/api/articles", {**article_body(slug="nul-test"), "title": "T\u0000"}, "title", id="article"),
    pytest.param("/api/articles", article_body(slug="nul-test", variants={
        "en": {"answer": "a", "questions": ["ok", "q\u0000?"]}}), "variants.en.questions.1", id="nested"),
    pytest.param("/api/tokens", {"name": "n", "k\u0000": 1}, "k\u0000", id="a-key"),
])
async def test_a_nul_character_in_a_json_body_is_400_naming_the_field(client, session_factory, caplog, path, body,
                                                                     field) -> None:
    # Found by QA: PostgreSQL cannot store U+0000; each such request logged a traceback and answered 500
    # (the sign-in without any account), while SQLite stored the character.
    headers = await staff_headers(session_factory, client, "admin")
    response = await client.post(path, json=body, headers=headers)
    assert (response.status_code, response.json()["extra"]) == (
        400, [{"field": field, "error": "must not contain the NUL character (U+0000)"}])
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


@pytest.mark.parametrize(("path", "field"), [
    pytest.param("/api/articles?q=a%00b", "q", id="query"),
    pytest.param("/api/customers/%00", "customer_id", id="path"),
])
async def test_a_nul_character_in_a_path_or_query_is_400(client, session_factory, caplog, path, field) -> None:
    admin = await staff_headers(session_factory, client, "admin")
    response = await client.get(path, headers=admin)
    assert (response.status_code, response.json()["extra"]) == (
        400, [{"field": field, "error": "must not contain the NUL character (U+0000)"}])
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


SURROGATE_ROUTES = [
    pytest.param("PUT", "/api/customers/qa-sur", b'{"name":"\\ud800x"}', id="customer"),
    pytest.param("POST", "/api/tokens", b'{"name":"\\ud800"}', id="token"),
    pytest.param("POST", "/api/conversations/1/messages", b'{"text":"a \\ud800 b"}', id="reply"),
    pytest.param("POST", "/api/conversations/1/transfer", b'{"team":"\\ud800"}', id="transfer"),
    pytest.param("POST", "/api/auth/login", b'{"email":"a@b.ua","password":"\\ud800"}', id="login"),
    pytest.param("POST", "/api/articles", b'{"slug":"s","title":"\\ud800x"}', id="article"),
]


@pytest.mark.parametrize(("method", "path", "body"), SURROGATE_ROUTES)
async def test_a_lone_surrogate_escape_is_malformed_json_on_every_route(client, session_factory, method, path,
                                                                        body) -> None:
    # Found by QA: near the end of a body it was answered "Input data was truncated" on some routes.
    admin = await token_for(session_factory, await make_agent(session_factory, "admin@shop.ua", role="admin"))
    response = await client.request(method, path, content=body, headers={**admin, "Content-Type": "application/json"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("JSON is malformed: ") and "surrogate" in detail, detail


async def test_a_body_cut_off_is_still_called_truncated(client, supervisor) -> None:
    response = await client.put("/api/teams/t1", content=b'{"skills":["x',
                                headers={**supervisor, "Content-Type": "application/json"})
    assert (response.status_code, response.json()["detail"]) == (400, "Input data was truncated")


async def test_a_number_beyond_a_double_is_400_saying_so_in_the_body(client, session_factory) -> None:
    integration = await token_for(session_factory, await make_agent(session_factory, "shop@shop.ua",
                                                                    role="integration"))
    body = b'{"name":"x","orders":[{"number":"1","status":"new","total":1e400}]}'
    response = await client.put("/api/customers/qa-big", content=body,
                                headers={**integration, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"status_code": 400, "detail": "a number in the JSON body is out of range",
                               "extra": [{"field": "body", "error": "a number is out of range"}]}
