"""The unanswered inbox over the API: groups with counts, and turning a group into a draft article."""

from sqlalchemy import select

from knowledge_base.inbox import record_unanswered
from knowledge_base.models import UnansweredQuestion
from tests.support.kb import staff_headers


async def _ask(session_factory, *texts: str) -> None:
    async with session_factory() as session, session.begin():
        for text in texts:
            await record_unanswered(session, text=text, language="en", reason="fallback")


async def test_inbox_groups_and_a_group_becomes_a_draft_article(client, session_factory) -> None:
    editor = await staff_headers(session_factory, client, "editor")
    await _ask(session_factory, "Can I pay in installments?", "Where is my parcel?",
               "do you offer installment payment", "   ", "Where is my parcel??")
    inbox = (await client.get("/api/kb/unanswered", headers=editor)).json()
    assert inbox["total"] == 4  # the blank message was never recorded
    groups = {tuple(sorted(g["examples"])): g for g in inbox["groups"]}
    parcel = groups[("Where is my parcel?", "Where is my parcel??")]
    assert parcel["count"] == 2 and parcel["reasons"] == {"fallback": 2}
    assert inbox["groups"][0] is not None and inbox["groups"][0]["examples"][0] == "Where is my parcel??"

    created = await client.post("/api/kb/unanswered/article", headers=editor, json={
        "question_ids": parcel["question_ids"], "slug": "parcel-tracking", "title": "Where is my parcel",
        "language": "en", "answer": "Track it at https://novaposhta.ua with the number from your SMS."})
    assert created.status_code == 201, created.text
    article = created.json()
    assert article["status"] == "draft"
    assert article["variants"]["en"]["questions"] == ["Where is my parcel?", "Where is my parcel??"]
    after = (await client.get("/api/kb/unanswered", headers=editor)).json()
    assert after["total"] == 2
    async with session_factory() as session:
        linked = (await session.scalars(select(UnansweredQuestion.resolved_article_id)
                                        .where(UnansweredQuestion.id.in_(parcel["question_ids"])))).all()
        assert set(linked) == {article["id"]}
    again = await client.post("/api/kb/unanswered/article", headers=editor, json={
        "question_ids": parcel["question_ids"], "slug": "parcel-2", "title": "Again", "language": "en",
        "answer": "x"})
    assert again.status_code == 400 and "inbox" in again.json()["detail"]


async def test_agents_read_the_inbox_but_cannot_create_articles(client, session_factory) -> None:
    agent = await staff_headers(session_factory, client, "agent")
    await _ask(session_factory, "Do you ship to Poland?")
    inbox = (await client.get("/api/kb/unanswered", headers=agent)).json()
    assert [g["examples"] for g in inbox["groups"]] == [["Do you ship to Poland?"]]
    denied = await client.post("/api/kb/unanswered/article", headers=agent, json={
        "question_ids": inbox["groups"][0]["question_ids"], "slug": "poland", "title": "Poland", "language": "en",
        "answer": "Yes"})
    assert denied.status_code == 403
