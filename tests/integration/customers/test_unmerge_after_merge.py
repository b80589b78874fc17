"""Unmerge gives back what the merged-away identities did while merged, and nothing of the survivor's.

Regression: messages a merged-away Viber account wrote after the merge stayed on the survivor's
timeline after unmerge, and the shop account's orders pushed after the merge stayed with the survivor.
"""

import pytest
from sqlalchemy import select

from bots.flow import InboundFlow
from bots.steps import default_steps
from core.bus import MemoryEventBus
from core.models import Conversation, Identity
from handoff import flows
from handoff.state import SYSTEM, Outcome
from tests.support.customers import OKSANA, role_headers, shopper


@pytest.fixture
async def headers(session_factory):
    return await role_headers(session_factory, "admin", "agent", "integration")


@pytest.fixture
def flow(settings, session_factory):
    return InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps())


async def _customer_id(session_factory, channel: str, user_id: str) -> int:
    async with session_factory() as session:
        return await session.scalar(select(Identity.customer_id).where(Identity.channel == channel,
                                                                      Identity.external_id == user_id))


async def _timeline(client, headers, conversation_id: int) -> list[dict]:
    """What the console shows for the conversation: its customer's cross-channel history."""
    response = await client.get(f"/api/conversations/{conversation_id}/messages", headers=headers["agent"])
    assert response.status_code == 200, response.text
    return response.json()


async def _card(client, headers, customer_id: int | str) -> dict:
    response = await client.get(f"/api/customers/{customer_id}", headers=headers["agent"])
    assert response.status_code == 200, response.text
    return response.json()


async def _merge(client, headers, source: int, target: int) -> None:
    merged = await client.post(f"/api/customers/{source}/merge", json={"into": target}, headers=headers["admin"])
    assert merged.status_code == 200, merged.text


async def _unmerge(client, headers, source: int) -> None:
    restored = await client.post(f"/api/customers/{source}/unmerge", headers=headers["admin"])
    assert restored.status_code == 200, restored.text


async def _address(session_factory, conversation_id: int) -> tuple[str, str]:
    async with session_factory() as session:
        conversation = await session.get(Conversation, conversation_id)
        return conversation.channel, conversation.chat_id


def _texts(timeline: list[dict]) -> list[str]:
    return [m["text"] for m in timeline if m["direction"] == "in"]


async def test_messages_written_after_the_merge_into_the_survivors_conversation_go_back_with_their_identity(
        client, headers, flow, session_factory):
    viber = await flow.process(shopper("viber", "vb-1", text="hello from viber", language="en"))
    telegram = await flow.process(shopper("telegram", "tg-1", text="hi from telegram", language="en"))
    source = await _customer_id(session_factory, "viber", "vb-1")
    survivor = await _customer_id(session_factory, "telegram", "tg-1")
    await _merge(client, headers, source, survivor)
    # The survivor's conversation is the newest one, so everything written now lands in it.
    for message in (shopper("viber", "vb-1", text="viber after the merge", language="en"),
                    shopper("telegram", "tg-1", text="telegram after the merge", language="en"),
                    shopper("viber", "vb-1", text="viber again", language="en")):
        assert (await flow.process(message)).conversation_id == telegram.conversation_id

    await _unmerge(client, headers, source)

    theirs = await _timeline(client, headers, viber.conversation_id)
    assert _texts(theirs) == ["hello from viber", "viber after the merge", "viber again"]
    assert {m["channel"] for m in theirs} == {"viber"}  # the bot's replies to them went back too
    ours = await _timeline(client, headers, telegram.conversation_id)
    assert _texts(ours) == ["hi from telegram", "telegram after the merge"]
    assert {m["channel"] for m in ours} == {"telegram"}
    assert [c["id"] for c in (await _card(client, headers, survivor))["conversations"]] == [telegram.conversation_id]
    assert [c["id"] for c in (await _card(client, headers, source))["conversations"]] == [viber.conversation_id]
    # The survivor's conversation had last been written to from Viber; agents' replies go to Telegram again.
    assert await _address(session_factory, telegram.conversation_id) == ("telegram", "tg-1")


async def test_a_conversation_opened_after_the_merge_goes_back_but_the_survivors_messages_in_it_stay(
        client, headers, flow, session_factory, settings):
    telegram = await flow.process(shopper("telegram", "tg-1", text="hi from telegram", language="en"))
    viber = await flow.process(shopper("viber", "vb-1", text="hello from viber", language="en"))
    source = await _customer_id(session_factory, "viber", "vb-1")
    survivor = await _customer_id(session_factory, "telegram", "tg-1")
    await _merge(client, headers, source, survivor)
    # The Viber conversation (newest, moved by the merge) takes a survivor's message, goes to a person,
    # is resolved and rated; the next Viber message opens a new conversation the survivor writes into too.
    assert (await flow.process(shopper("telegram", "tg-1", text="telegram into the viber conversation",
                                       language="en"))).conversation_id == viber.conversation_id
    await flow.process(shopper("viber", "vb-1", kind="callback", text="Talk to a person",
                               payload={"data": "handoff:request"}, language="en"))
    async with session_factory() as session, session.begin():
        conversation = await session.get(Conversation, viber.conversation_id)
        outcome = Outcome()
        await flows.resolve(session, conversation, actor=SYSTEM, language="en", outcome=outcome)
        await flows.send_notices(session, conversation, outcome)
    await flow.process(shopper("viber", "vb-1", text="5", language="en"))
    opened = await flow.process(shopper("viber", "vb-1", text="a new question from viber", language="en"))
    assert opened.conversation_id not in (viber.conversation_id, telegram.conversation_id)
    assert (await flow.process(shopper("telegram", "tg-1", text="telegram into the new one",
                                       language="en"))).conversation_id == opened.conversation_id

    await _unmerge(client, headers, source)

    card = await _card(client, headers, source)
    assert [c["id"] for c in card["conversations"]] == [opened.conversation_id, viber.conversation_id]
    assert [c["id"] for c in (await _card(client, headers, survivor))["conversations"]] == [telegram.conversation_id]
    theirs = await _timeline(client, headers, opened.conversation_id)
    assert _texts(theirs) == ["hello from viber", "Talk to a person", "5", "a new question from viber"]
    assert {m["channel"] for m in theirs} == {"viber"}
    ours = await _timeline(client, headers, telegram.conversation_id)
    assert _texts(ours) == ["hi from telegram", "telegram into the viber conversation", "telegram into the new one"]
    assert await _address(session_factory, opened.conversation_id) == ("viber", "vb-1")
    assert await _address(session_factory, viber.conversation_id) == ("viber", "vb-1")


async def test_orders_and_notifications_for_the_shop_account_after_the_merge_go_back_with_it(
        client, headers, flow, session_factory):
    shop = {key: value for key, value in OKSANA.items() if key != "external_id"}
    account = (await client.put("/api/customers/shop-1", json=shop, headers=headers["integration"])).json()
    # Oksana's Viber joins her shop account by sharing her phone; Taras writes on Telegram.
    await flow.process(shopper("viber", "vb-1", kind="contact", phone="+380501234567", language="en"))
    await flow.process(shopper("telegram", "tg-1", text="hi from telegram", language="en"))
    survivor = await _customer_id(session_factory, "telegram", "tg-1")
    await _merge(client, headers, account["id"], survivor)
    new_order = {"number": "10300", "status": "processing", "total": "990", "created_at": "2026-11-22T10:00:00+00:00"}
    pushed = {**shop, "orders": [*shop["orders"], new_order]}
    assert (await client.put("/api/customers/shop-1", json=pushed, headers=headers["integration"])).status_code == 200
    sent = {}
    for channel in ("viber", "telegram"):
        response = await client.post("/api/notifications", headers=headers["integration"], json={
            "customer": "shop-1", "template": "order_shipped", "channel": channel,
            "params": {"number": "10300", "tracking": "2045001"}})
        assert response.status_code == 201, response.text
        sent[channel] = response.json()["id"]

    await _unmerge(client, headers, account["id"])

    card = await _card(client, headers, "shop-1")
    assert card["id"] == account["id"]
    assert sorted(o["number"] for o in card["orders"]) == ["10188", "10234", "10300"]
    assert (await _card(client, headers, survivor))["orders"] == []
    # The shop can push the account again: its orders are not someone else's.
    assert (await client.put("/api/customers/shop-1", json=pushed, headers=headers["integration"])).status_code == 200
    owners = {}
    for channel, notification_id in sent.items():
        response = await client.get(f"/api/notifications/{notification_id}", headers=headers["agent"])
        owners[channel] = response.json()["customer_id"]
    assert owners == {"viber": account["id"], "telegram": survivor}
