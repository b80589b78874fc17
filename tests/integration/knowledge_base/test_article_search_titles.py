"""Searching articles finds them by the title of any language variant, in any letter case (found by QA: only
the slug and the English title were searched, so an editor working in Ukrainian or Russian found nothing by
the words on screen). Cyrillic case is folded on SQLite too, whose LIKE and lower() fold only ASCII."""

from tests.support.kb import article_body, staff_headers

DELIVERY = article_body()
for _language, _title in (("uk", "Вартість доставки"), ("ru", "Стоимость доставки")):
    DELIVERY["variants"][_language]["title"] = _title
RETURNS = article_body("returns", title="Returns", variants={
    "uk": {"title": "Повернення товару", "answer": "Повернення протягом 14 днів.", "questions": ["Як повернути?"]},
})


async def test_variant_titles_are_found_in_any_letter_case(session_factory, client) -> None:
    editor = await staff_headers(session_factory, client, "editor")
    for body in (DELIVERY, RETURNS):
        assert (await client.post("/api/articles", json=body, headers=editor)).status_code == 201

    async def found(q: str, **params: str) -> list[str]:
        response = await client.get("/api/articles", params={"q": q, **params}, headers=editor)
        assert response.status_code == 200, response.text
        return [article["slug"] for article in response.json()]

    for q in ("Вартість", "вартість", "ВАРТІСТЬ", "Стоимость", "стоимость доставки", "СТОИМОСТЬ"):
        assert await found(q) == ["delivery-cost"], q
    assert await found("ПОВЕРНЕННЯ") == ["returns"]
    assert await found("достав") == ["delivery-cost"]
    # The slug and the main title still count; answers do not (a search by title, not full text).
    assert await found("DELIVERY") == ["delivery-cost"]
    assert await found("returns") == ["returns"]
    assert await found("коштує") == []
    # With a status filter, both must hold.
    assert await found("вартість", status="draft") == ["delivery-cost"]
    assert await found("вартість", status="published") == []
