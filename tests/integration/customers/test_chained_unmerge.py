"""Undoing chained merges (A into B, then B into C) gives each record back exactly its own.

Regression (QA, F4): unmerging A first succeeded although what it moved had gone on to C with B's
merge; unmerging B then took A's Telegram identity, conversation and messages to B, a shop account,
whose orders the bot then showed to A's Telegram. Web chat visitors lost theirs the same way.
"""

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from bots.flow import InboundFlow
from bots.steps import default_steps
from core.bus import MemoryEventBus
from core.models import Identity, Message
from tests.support import telegram_payloads as tg
from tests.support.channels import channel_settings, eventually, post_telegram
from tests.support.customers import OKSANA, role_headers, shopper
from tests.support.telegram_double import TelegramDouble
from web.app import create_app

A_USER, C_USER = 90000001, 90000003


async def _customer_of(session_factory, channel: str, user_id: str) -> int:
    async with session_factory() as session:
        return await session.scalar(select(Identity.customer_id).where(Identity.channel == channel,
                                                                      Identity.external_id == user_id))


async def _owners_of_messages(session_factory, chat_id: str) -> set[int]:
    async with session_factory() as session:
        return set((await session.scalars(select(Message.customer_id).where(Message.chat_id == chat_id))).all())


async def _card(client, headers, customer_id: int) -> dict:
    response = await client.get(f"/api/customers/{customer_id}", headers=headers["agent"])
    assert response.status_code == 200, response.text
    return response.json()


def _identities(card: dict) -> list[tuple[str, str]]:
    return [(i["channel"], i["external_id"]) for i in card["identities"]]


async def _merge(client, headers, source: int, target: int) -> None:
    merged = await client.post(f"/api/customers/{source}/merge", json={"into": target}, headers=headers["admin"])
    assert merged.status_code == 200, merged.text


async def _undo_chain_out_of_order(client, headers, a: int, b: int, c: int) -> None:
    """A into B, B into C; the admin unmerges A first (refused, naming B), then B, then A."""
    await _merge(client, headers, a, b)
    await _merge(client, headers, b, c)
    refused = await client.post(f"/api/customers/{a}/unmerge", headers=headers["admin"])
    assert refused.status_code == 409, refused.text
    assert f"merged into customer {c}; unmerge customer {b} first" in refused.text
    for source in (b, a):
        restored = await client.post(f"/api/customers/{source}/unmerge", headers=headers["admin"])
        assert restored.status_code == 200, restored.text


@pytest.fixture
async def telegram_app(backend, session_factory):
    with TelegramDouble() as telegram:
        headers = await role_headers(session_factory, "admin", "agent", "integration")
        settings = channel_settings(backend, telegram=telegram)
        async with AsyncTestClient(app=create_app(settings)) as client:
            yield client, headers, telegram, settings


async def test_telegram_shoppers_keep_their_own_after_chained_merges_are_undone(telegram_app, session_factory):
    client, headers, telegram, settings = telegram_app
    shop = await client.put("/api/customers/shop-1", json={k: v for k, v in OKSANA.items() if k != "external_id"},
                            headers=headers["integration"])
    b = shop.json()["id"]
    for user in (A_USER, C_USER):
        await post_telegram(client, settings, tg.text_update("привіт", user_id=user, language_code="uk"))
    await eventually(lambda: telegram.texts_to(A_USER) and telegram.texts_to(C_USER))
    a = await _customer_of(session_factory, "telegram", str(A_USER))
    c = await _customer_of(session_factory, "telegram", str(C_USER))
    a_conversations = [conversation["id"] for conversation in (await _card(client, headers, a))["conversations"]]

    await _undo_chain_out_of_order(client, headers, a, b, c)

    a_card, b_card, c_card = [await _card(client, headers, x) for x in (a, b, c)]
    assert _identities(a_card) == [("telegram", str(A_USER))]
    assert [conversation["id"] for conversation in a_card["conversations"]] == a_conversations
    assert (a_card["external_id"], a_card["orders"]) == (None, [])
    assert await _owners_of_messages(session_factory, str(A_USER)) == {a}
    assert _identities(b_card) == [] and b_card["conversations"] == []
    assert b_card["external_id"] == "shop-1" and [o["number"] for o in b_card["orders"]] == ["10234", "10188"]
    assert _identities(c_card) == [("telegram", str(C_USER))]
    # A's Telegram is nobody's shop account: it is not shown shop-1's orders, nor sent its notifications.
    before = len(telegram.texts_to(A_USER))
    await post_telegram(client, settings, tg.text_update("де моє замовлення", user_id=A_USER, language_code="uk"))
    await eventually(lambda: len(telegram.texts_to(A_USER)) > before)
    notified = await client.post("/api/notifications", headers=headers["integration"], json={
        "customer": "shop-1", "template": "order_shipped", "params": {"number": "10234", "tracking": "NPSON"}})
    assert notified.status_code == 409 and "cannot be reached" in notified.text
    assert not any("10234" in text or "NPSON" in text for text in telegram.texts_to(A_USER))


async def test_web_chat_visitors_keep_their_own_after_chained_merges_are_undone(client, settings, session_factory):
    headers = await role_headers(session_factory, "admin", "agent")
    flow = InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps())
    visitors = ["visitor-1", "visitor-2", "visitor-3"]
    conversations = {}
    for visitor in visitors:
        for text in ("hello", "anyone there?"):
            conversations[visitor] = (await flow.process(shopper("webchat", visitor, text=text,
                                                                 language="en"))).conversation_id
    a, b, c = [await _customer_of(session_factory, "webchat", visitor) for visitor in visitors]

    await _undo_chain_out_of_order(client, headers, a, b, c)

    for customer_id, visitor in zip((a, b, c), visitors, strict=True):
        card = await _card(client, headers, customer_id)
        assert _identities(card) == [("webchat", visitor)]
        assert [conversation["id"] for conversation in card["conversations"]] == [conversations[visitor]]
        assert await _owners_of_messages(session_factory, visitor) == {customer_id}
