"""The version history says what happened: no empty versions for saves that change nothing, publishing and
unpublishing by name, and a restore that brings back a version as a whole, translations in step with it.
Found by using the KB editor on the demo."""

import pytest

from tests.support.kb import article_body, staff_headers


@pytest.fixture
async def editor(session_factory, client):
    return await staff_headers(session_factory, client, "editor")


async def _history(client, editor) -> list[tuple[int, str]]:
    versions = (await client.get("/api/articles/delivery-cost/versions", headers=editor)).json()
    return [(v["number"], v["action"]) for v in versions]


async def test_a_save_that_changes_nothing_records_no_version(client, editor) -> None:
    created = (await client.post("/api/articles", json=article_body(), headers=editor)).json()
    same = await client.patch("/api/articles/delivery-cost", headers=editor,
                              json={"version": created["version"], "title": created["title"],
                                    "variants": article_body()["variants"]})
    assert same.status_code == 200, same.text
    assert same.json()["version"] == created["version"]
    # Whitespace the schema trims away is no change either.
    padded = article_body()["variants"]["ru"]
    again = await client.patch("/api/articles/delivery-cost", headers=editor, json={
        "version": created["version"], "variants": {"ru": {**padded, "answer": padded["answer"] + "   "}}})
    assert again.status_code == 200, again.text
    assert again.json()["version"] == created["version"]
    assert await _history(client, editor) == [(1, "create")]


async def test_publishing_and_unpublishing_are_named_in_the_history(client, editor) -> None:
    await client.post("/api/articles", json=article_body(), headers=editor)
    published = (await client.post("/api/articles/delivery-cost/publish", headers=editor)).json()
    unpublished = await client.patch("/api/articles/delivery-cost", json={"version": published["version"],
                                                                         "status": "draft"}, headers=editor)
    assert unpublished.status_code == 200, unpublished.text
    assert await _history(client, editor) == [(3, "unpublish"), (2, "publish"), (1, "create")]


async def test_restoring_the_wording_from_before_a_source_edit_clears_the_stale_flags(client, editor) -> None:
    await client.post("/api/articles", json=article_body(source_language="uk"), headers=editor)
    edited = await client.patch("/api/articles/delivery-cost", headers=editor, json={
        "version": 1, "variants": {"uk": {"answer": "Доставка коштує 80 грн.", "questions": ["Скільки доставка?"]}}})
    assert edited.json()["stale_languages"] == ["en", "ru"]

    restored = await client.post("/api/articles/delivery-cost/versions/1/restore", headers=editor)
    assert restored.status_code == 200, restored.text
    assert restored.json()["variants"]["uk"]["answer"] == article_body()["variants"]["uk"]["answer"]
    assert restored.json()["stale_languages"] == []
    assert await _history(client, editor) == [(3, "restore"), (2, "update"), (1, "create")]
