"""A new shopper's messages arriving at once (a photo album, several quick lines, two tabs): every one is
stored, none is taken for a duplicate because the first of them was still creating the shopper."""

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from core.models import Conversation, Customer, Identity
from tests.support import telegram_payloads as tp
from tests.support.channels import (
    TELEGRAM_WEBHOOK,
    WEBHOOK_SECRET,
    channel_settings,
    delivery_test_steps,
    stored_messages,
)
from tests.support.live_server import LiveServer

BURST = 6
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}


@pytest.fixture
def server(backend, telegram):
    # A real server: requests are handled side by side, as a webhook burst is in production.
    with LiveServer(channel_settings(backend, telegram=telegram), flow_steps=delivery_test_steps()) as live:
        yield live


async def _post_all(server, updates: list[dict]) -> list[int]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        responses = await asyncio.gather(*(
            client.post(TELEGRAM_WEBHOOK, json=u, headers=HEADERS) for u in updates))
    return [r.status_code for r in responses]


async def test_a_burst_from_a_new_shopper_is_stored_whole(server, session_factory):
    # Found by QA: 1 of 6 stored; the others lost the race to create the shopper's identity and were
    # answered 200 as "duplicates", so Telegram never sent them again.
    updates = [tp.text_update(f"Скільки коштує доставка {n}?") for n in range(BURST)]
    assert await _post_all(server, updates) == [200] * BURST
    stored = await stored_messages(session_factory, "in")
    assert sorted(m.text for m in stored) == sorted(u["message"]["text"] for u in updates)
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Identity.id))) == 1
        assert await session.scalar(select(func.count(Customer.id))) == 1


async def test_the_same_update_sent_at_once_is_still_stored_once(server, session_factory):
    update = tp.text_update("Where is my order?")
    assert await _post_all(server, [update] * BURST) == [200] * BURST
    assert [m.text for m in await stored_messages(session_factory, "in")] == ["Where is my order?"]


async def test_a_burst_opens_one_conversation(server, session_factory):
    # The shopper is known, their last conversation resolved: the burst starts one new conversation,
    # not one per message.
    assert await _post_all(server, [tp.text_update("hello")]) == [200]
    async with session_factory() as session, session.begin():
        for conversation in (await session.scalars(select(Conversation))).all():
            conversation.status = "resolved"
    updates = [tp.text_update(f"Where is my order {n}?") for n in range(BURST)]
    assert await _post_all(server, updates) == [200] * BURST
    assert len(await stored_messages(session_factory, "in")) == BURST + 1
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Conversation.id))) == 2
