"""The search index follows the database: published articles only, one article at a time, and every
process learns of a change over the bus."""

import asyncio

import pytest
from litestar.testing import AsyncTestClient

from core import events
from core.bus import MemoryEventBus
from knowledge_base import service
from knowledge_base.index import KnowledgeIndex
from knowledge_base.schema import parse_article
from knowledge_base.versions import Author
from nlu.engine import NLUEngine
from tests.support.kb import article_body, staff_headers
from web.app import create_app

RETURNS = {"en": {"answer": "Return within 14 days.", "questions": ["How do I return an item?", "Can I send it back?"]}}
PAYMENT = {"en": {"answer": "Cards, Apple Pay or cash on delivery.",
                  "questions": ["How can I pay?", "Do you take cards?", "Can I pay cash on delivery?"]}}


@pytest.fixture(scope="module")
def engine():
    nlu = NLUEngine()
    yield nlu
    nlu.close()


async def _save(session_factory, body: dict) -> int:
    async with session_factory() as session, session.begin():
        return (await service.create(session, data=parse_article(body), author=Author())).id


async def _edit(session_factory, article_id: int, **changes) -> None:
    async with session_factory() as session, session.begin():
        article = await service.get(session, article_id=article_id)
        data = service.merge_patch(article, changes)
        await service.update(session, article=article, data=data, author=Author(), expected_version=None)


async def test_only_published_articles_are_indexed_and_changes_are_incremental(engine, session_factory) -> None:
    live = await _save(session_factory, article_body("delivery-cost", status="published"))
    await _save(session_factory, article_body("payment", title="Payment", variants=PAYMENT, status="published"))
    draft = await _save(session_factory, article_body("returns", title="Returns", variants=RETURNS))
    index = KnowledgeIndex(engine, session_factory)
    await index.load()
    assert index.indexed_slugs == ["delivery-cost", "payment"]
    calibrated = engine.thresholds

    await _edit(session_factory, draft, status="published")
    await index.refresh(draft)
    assert index.indexed_slugs == ["delivery-cost", "payment", "returns"]
    assert calibrated.calibrated and engine.thresholds is calibrated  # an upsert, not a rebuild and recalibration
    assert (await index.decide("How do I return an item?", language_hint="en")).candidates[0].article_id == "returns"

    await _edit(session_factory, live, slug="shipping-cost")
    await index.refresh(live)
    assert index.indexed_slugs == ["payment", "returns", "shipping-cost"]
    assert sorted(engine.article_ids) == ["payment", "returns", "shipping-cost"]

    await _edit(session_factory, draft, status="archived")
    await index.refresh(draft)
    assert sorted(engine.article_ids) == ["payment", "shipping-cost"]


async def test_bus_events_drive_the_index(engine, session_factory) -> None:
    bus = MemoryEventBus()
    index = KnowledgeIndex(engine, session_factory)
    await index.load()
    bus.subscribe(events.KB_CHANGED, index.on_kb_changed)
    article_id = await _save(session_factory, article_body(status="published"))
    await bus.publish(events.KB_CHANGED, {"article_id": article_id})
    await index.settled()
    assert index.indexed_slugs == ["delivery-cost"]
    async with session_factory() as session, session.begin():
        await service.delete(session, article=await service.get(session, article_id=article_id))
    await bus.publish(events.KB_CHANGED, {"article_id": article_id})
    await index.settled()
    assert index.indexed_slugs == []
    await _save(session_factory, article_body("bulk-1", status="published"))
    await _save(session_factory, article_body("bulk-2", status="published"))
    await bus.publish(events.KB_CHANGED, {"article_id": None})  # after a bulk import: reload everything
    await index.settled()
    assert index.indexed_slugs == ["bulk-1", "bulk-2"]


async def test_a_second_app_learns_of_a_publish_over_redis(backend, settings, session_factory) -> None:
    if not backend.is_postgres:
        pytest.skip("two processes share changes over Redis; the SQLite run uses the in-process bus")
    async with AsyncTestClient(app=create_app(settings)) as first, \
            AsyncTestClient(app=create_app(settings)) as second:
        editor = await staff_headers(session_factory, first, "editor")
        await first.post("/api/articles", json=article_body(), headers=editor)
        assert (await first.post("/api/articles/delivery-cost/publish", headers=editor)).status_code == 200
        login = await second.post("/api/auth/login", json={"email": "editor@shop.ua", "password": "long-password"})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        for _ in range(400):  # the second app may still be starting its index
            result = (await second.get("/api/kb/search", params={"q": "How much is delivery?"},
                                       headers=headers)).json()
            if result["decision"]["article_id"] == "delivery-cost":
                break
            await asyncio.sleep(0.05)
        assert result["decision"]["action"] == "answer"
        assert result["decision"]["article_id"] == "delivery-cost"


async def test_a_reload_does_not_hold_up_the_bus(engine, session_factory) -> None:
    bus = MemoryEventBus()
    index = KnowledgeIndex(engine, session_factory)
    await index.load()
    bus.subscribe(events.KB_CHANGED, index.on_kb_changed)
    await _save(session_factory, article_body(status="published"))
    await bus.publish(events.KB_CHANGED, {"article_id": None})
    assert index.indexed_slugs == []  # publish returned at once; the reload runs on its own
    await index.settled()
    assert index.indexed_slugs == ["delivery-cost"]


def _record_engine_changes(engine: NLUEngine, monkeypatch) -> list[str]:
    """The names of the engine's index-changing methods, in the order they are called from now on."""
    calls: list[str] = []
    for name in ("rebuild", "upsert_article", "remove_article"):
        method = getattr(engine, name)

        def recorded(*args, _name=name, _method=method, **kwargs):
            calls.append(_name)
            return _method(*args, **kwargs)

        monkeypatch.setattr(engine, name, recorded)
    return calls


async def test_sync_finds_saves_whose_events_never_arrived(engine, session_factory, monkeypatch) -> None:
    await _save(session_factory, article_body("payment", title="Payment", variants=PAYMENT, status="published"))
    index = KnowledgeIndex(engine, session_factory)
    await index.load()
    calls = _record_engine_changes(engine, monkeypatch)
    await index.sync()
    assert calls == []  # the revision did not move

    article_id = await _save(session_factory, article_body(status="published"))  # no event sent
    await index.sync()
    assert index.indexed_slugs == ["delivery-cost", "payment"]
    assert calls == ["upsert_article"]  # one missed article is upserted, as its event would have

    await _edit(session_factory, article_id, slug="shipping-cost")
    await index.sync()
    assert sorted(engine.article_ids) == ["payment", "shipping-cost"]

    async with session_factory() as session, session.begin():
        await service.delete(session, article=await service.get(session, article_id=article_id))
    await index.sync()
    assert index.indexed_slugs == ["payment"] and engine.article_ids == ["payment"]

    calls.clear()
    await _save(session_factory, article_body("bulk-1", status="published"))
    await _save(session_factory, article_body("bulk-2", status="published"))
    await index.sync()
    assert index.indexed_slugs == ["bulk-1", "bulk-2", "payment"]
    assert calls == ["rebuild"]  # several missed: reloaded (and recalibrated) as after a bulk import


async def test_sync_after_the_events_arrived_changes_nothing(engine, session_factory, monkeypatch) -> None:
    await _save(session_factory, article_body("payment", title="Payment", variants=PAYMENT, status="published"))
    index = KnowledgeIndex(engine, session_factory)
    await index.load()
    article_id = await _save(session_factory, article_body(status="published"))
    await index.refresh(article_id)  # the event arrived
    await _save(session_factory, article_body("returns", title="Returns", variants=RETURNS))  # a draft
    calls = _record_engine_changes(engine, monkeypatch)
    await index.sync()
    assert calls == []
    assert index.indexed_slugs == ["delivery-cost", "payment"]


async def test_sync_loads_an_index_whose_first_load_failed(engine, session_factory) -> None:
    await _save(session_factory, article_body(status="published"))
    index = KnowledgeIndex(engine, session_factory)
    await index.sync()  # as when the database came back after a start without it
    assert index.indexed_slugs == ["delivery-cost"]
    assert (await index.decide("How much is delivery?", language_hint="en")).article_id == "delivery-cost"
