"""The inbox's other two ways out: teach an existing article a new wording, or dismiss what needs no
article (a 👎 on a right answer, chatter). Before, a group could only become a new article."""

from tests.integration.knowledge_base.test_inbox_api import _ask
from tests.support.kb import article_body, publish_article, staff_headers


async def _group(client, editor, example: str) -> dict:
    inbox = (await client.get("/api/kb/unanswered", headers=editor)).json()
    return next(g for g in inbox["groups"] if example in g["examples"])


async def test_a_group_added_to_a_published_article_teaches_the_bot_that_wording(client, session_factory) -> None:
    editor = await staff_headers(session_factory, client, "editor")
    await publish_article(client, editor, article_body())
    wording = "what do you charge for shipping to my door"
    before = (await client.get("/api/kb/search", params={"q": wording}, headers=editor)).json()
    await _ask(session_factory, wording)
    group = await _group(client, editor, wording)

    added = await client.post("/api/kb/unanswered/add-to-article", headers=editor, json={
        "question_ids": group["question_ids"], "article": "delivery-cost", "language": "en"})
    assert added.status_code == 201, added.text
    article = added.json()
    assert article["variants"]["en"]["questions"] == [*article_body()["variants"]["en"]["questions"], wording]
    assert article["status"] == "published" and article["version"] == 3  # create, publish, this
    assert (await client.get("/api/kb/unanswered", headers=editor)).json()["total"] == 0
    after = (await client.get("/api/kb/search", params={"q": wording}, headers=editor)).json()
    assert after["decision"]["article_id"] == "delivery-cost"
    assert after["matches"][0]["score"] > before["matches"][0]["score"]


async def test_adding_to_a_language_the_article_lacks_is_refused_and_keeps_the_questions(
        client, session_factory) -> None:
    editor = await staff_headers(session_factory, client, "editor")
    body = article_body()
    body["variants"] = {"en": body["variants"]["en"]}
    await client.post("/api/articles", json=body, headers=editor)
    await _ask(session_factory, "Скільки коштує доставка кур'єром?")
    group = await _group(client, editor, "Скільки коштує доставка кур'єром?")
    refused = await client.post("/api/kb/unanswered/add-to-article", headers=editor, json={
        "question_ids": group["question_ids"], "article": "delivery-cost", "language": "uk"})
    assert refused.status_code == 400
    assert "no 'uk' variant" in refused.json()["detail"]
    assert (await client.get("/api/kb/unanswered", headers=editor)).json()["total"] == 1
    missing = await client.post("/api/kb/unanswered/add-to-article", headers=editor, json={
        "question_ids": group["question_ids"], "article": "no-such-article", "language": "uk"})
    assert missing.status_code == 404


async def test_a_dismissed_group_leaves_the_inbox_and_agents_may_not_dismiss(client, session_factory) -> None:
    editor = await staff_headers(session_factory, client, "editor")
    agent = await staff_headers(session_factory, client, "agent")
    await _ask(session_factory, "tell me a joke", "Do you ship to Poland?")
    joke = await _group(client, editor, "tell me a joke")
    denied = await client.post("/api/kb/unanswered/dismiss", headers=agent, json={"question_ids": joke["question_ids"]})
    assert denied.status_code == 403

    dismissed = await client.post("/api/kb/unanswered/dismiss", headers=editor,
                                  json={"question_ids": joke["question_ids"]})
    assert dismissed.status_code == 200 and dismissed.json() == {"dismissed": 1}
    inbox = (await client.get("/api/kb/unanswered", headers=editor)).json()
    assert [g["examples"] for g in inbox["groups"]] == [["Do you ship to Poland?"]]
    again = await client.post("/api/kb/unanswered/dismiss", headers=editor, json={"question_ids": joke["question_ids"]})
    assert again.status_code == 400 and "inbox" in again.json()["detail"]
