"""Searching articles by slug or title (found by QA: ``q=_`` listed every article, ``_`` and ``%`` being
LIKE wildcards): the text typed is matched literally."""

from tests.support.kb import article_body, staff_headers


async def test_underscore_and_percent_match_themselves_not_any_character(session_factory, client) -> None:
    editor = await staff_headers(session_factory, client, "editor")
    for body in (article_body("gift_wrap", title="Gift wrapping"), article_body("returns", title="Returns 100%"),
                 article_body("delivery-cost")):
        assert (await client.post("/api/articles", json=body, headers=editor)).status_code == 201

    async def found(q: str) -> list[str]:
        response = await client.get("/api/articles", params={"q": q}, headers=editor)
        assert response.status_code == 200, response.text
        return [article["slug"] for article in response.json()]

    assert await found("_") == ["gift_wrap"]
    assert await found("%") == ["returns"]
    assert await found("t_w") == ["gift_wrap"]
    assert await found("delivery") == ["delivery-cost"]
    assert await found("RETURNS 1") == ["returns"]
