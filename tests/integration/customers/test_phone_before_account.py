"""A shop account's phones and the messenger shoppers who verified them: linked when the shop writes the
account, split off when the shop removes the phone, never guessed when several accounts list it.

Regressions (QA F1, F13, F3): a shopper who shared their own phone before the shop created their
account was told they had no orders and could not be notified (409); a stranger who verified a phone
the shop had mistyped kept the account's orders and notifications after the shop corrected it; a
verified phone on two family accounts was silently linked to the lower-id one.
"""

import json

import pytest
from sqlalchemy import select

from bots.flow import InboundFlow
from bots.steps import default_steps
from core.bus import MemoryEventBus
from core.models import AuditRecord, Customer, Identity, Message
from tests.support.cli import run_cli
from tests.support.customers import role_headers, shopper

KATERYNA = {"name": "Kateryna", "phones": ["+380971234567"],
            "orders": [{"number": "77001", "status": "shipped", "total": 500, "tracking": "NPK"}]}
SHIPPED = {"template": "order_shipped", "params": {"number": "77001", "tracking": "NPK"}}


@pytest.fixture
def flow(settings, session_factory):
    return InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps())


@pytest.fixture
async def headers(session_factory):
    return await role_headers(session_factory, "integration", "agent")


async def _customer_of(session_factory, channel: str, user_id: str) -> Customer:
    async with session_factory() as session:
        customer_id = await session.scalar(select(Identity.customer_id).where(Identity.channel == channel,
                                                                               Identity.external_id == user_id))
        return await session.get(Customer, customer_id)


async def _reply_texts(flow, session_factory, channel: str, user_id: str, text: str) -> list[str]:
    """What the bot answers ``text`` from this shopper."""
    result = await flow.process(shopper(channel, user_id, text=text, language="uk"))
    async with session_factory() as session:
        return list((await session.scalars(select(Message.text).where(
            Message.conversation_id == result.conversation_id, Message.direction == "out",
            Message.id > result.message_id).order_by(Message.id))).all())


async def _share_phone(flow, channel: str, user_id: str, phone: str):
    return await flow.process(shopper(channel, user_id, kind="contact", phone=phone, language="uk"))


async def test_a_shopper_who_verified_the_phone_first_is_linked_when_the_shop_pushes_the_account(
        flow, client, headers, session_factory):
    await _share_phone(flow, "telegram", "tg-1", "+380971234567")
    await _share_phone(flow, "viber", "vb-1", "+380971234567")
    shopper_id = (await _customer_of(session_factory, "telegram", "tg-1")).id

    pushed = await client.put("/api/customers/C700", json=KATERYNA, headers=headers["integration"])
    assert pushed.status_code == 200, pushed.text
    card = pushed.json()
    assert card["linked"] == [{"customer_id": shopper_id, "phone": "+380971234567"}] and card["split_off"] == []
    assert sorted(i["external_id"] for i in card["identities"]) == ["tg-1", "vb-1"]
    assert card["verified_phones"] == ["+380971234567"]
    assert any("77001" in text for text in await _reply_texts(flow, session_factory, "telegram", "tg-1",
                                                               "де моє замовлення"))
    notified = await client.post("/api/notifications", json={**SHIPPED, "customer": "C700"},
                                 headers=headers["integration"])
    assert notified.status_code == 201, notified.text
    assert notified.json()["attempts"][0]["channel"] in ("telegram", "viber")
    async with session_factory() as session:
        merge = await session.scalar(select(AuditRecord).where(AuditRecord.action == "customer.merge",
                                                               AuditRecord.target_id == str(shopper_id)))
        assert (merge.details["reason"], merge.details["phone"], merge.details["into"]) == \
            ("verified_phone", "+380971234567", card["id"])
    again = await client.put("/api/customers/C700", json=KATERYNA, headers=headers["integration"])
    assert again.json()["linked"] == []


async def test_the_import_links_verified_shoppers_but_not_to_one_of_two_accounts_sharing_the_phone(
        flow, settings, session_factory, tmp_path):
    await _share_phone(flow, "telegram", "tg-2", "+380991112233")
    await _share_phone(flow, "telegram", "tg-3", "+380509990000")
    path = tmp_path / "shop.json"
    path.write_text(json.dumps([
        {"external_id": "C800", "name": "Taras", "phones": ["0991112233"],
         "orders": [{"number": "88001", "status": "shipped"}]},
        {"external_id": "C500", "name": "Mama", "phones": ["+380509990000"],
         "orders": [{"number": "50001", "status": "shipped"}]},
        {"external_id": "C501", "name": "Son", "phones": ["+380509990000"],
         "orders": [{"number": "50101", "status": "shipped"}]},
    ]), encoding="utf-8")
    imported = run_cli("customers", "import", str(path), env={"RELAYDESK_DATABASE_URL": settings.database_url})
    assert imported.returncode == 0, imported.stderr
    assert "1 linked to their account" in imported.stdout
    assert (await _customer_of(session_factory, "telegram", "tg-2")).external_id == "C800"
    assert any("88001" in text for text in await _reply_texts(flow, session_factory, "telegram", "tg-2",
                                                               "де моє замовлення"))
    family = await _customer_of(session_factory, "telegram", "tg-3")
    assert family.external_id is None and family.merged_into_id is None


async def test_a_phone_on_two_shop_accounts_links_the_shopper_to_neither(flow, client, headers, session_factory):
    for external_id, name, number in (("C500", "Mama", "50001"), ("C501", "Son", "50101")):
        pushed = await client.put(f"/api/customers/{external_id}", headers=headers["integration"], json={
            "name": name, "phones": ["+380509990000"], "orders": [{"number": number, "status": "shipped"}]})
        assert pushed.status_code == 200, pushed.text
    result = await _share_phone(flow, "telegram", "tg-4", "380509990000")
    async with session_factory() as session:
        replies = (await session.scalars(select(Message.text).where(
            Message.conversation_id == result.conversation_id, Message.direction == "out")
            .order_by(Message.id))).all()
    assert "підтверджено" in replies[0]
    assert "кількох облікових записах" in replies[-1] and not any("50001" in text for text in replies)
    assert (await _customer_of(session_factory, "telegram", "tg-4")).external_id is None
    for external_id in ("C500", "C501"):
        card = (await client.get(f"/api/customers/{external_id}", headers=headers["agent"])).json()
        assert card["identities"] == [] and card["verified_phones"] == []


async def test_a_stranger_who_verified_a_mistyped_phone_is_split_off_when_the_shop_corrects_it(
        flow, client, headers, session_factory):
    halyna = {"name": "Halyna", "phones": ["+380671110000"],
              "orders": [{"number": "96001", "status": "shipped", "tracking": "NP96"}]}
    assert (await client.put("/api/customers/C960", json=halyna, headers=headers["integration"])).status_code == 200
    await _share_phone(flow, "telegram", "tg-5", "380671110000")
    assert (await _customer_of(session_factory, "telegram", "tg-5")).external_id == "C960"
    # A push that says nothing about phones leaves them, and the shopper, as they are.
    unchanged = await client.put("/api/customers/C960", json={"name": "Halyna"}, headers=headers["integration"])
    assert unchanged.json()["split_off"] == [] and len(unchanged.json()["identities"]) == 1

    corrected = await client.put("/api/customers/C960", json={**halyna, "phones": ["+380671119999"]},
                                 headers=headers["integration"])
    assert corrected.status_code == 200, corrected.text
    card = corrected.json()
    stranger = await _customer_of(session_factory, "telegram", "tg-5")
    assert card["split_off"] == [{"customer_id": stranger.id, "phone": "+380671110000"}]
    assert card["phones"] == ["+380671119999"] and card["identities"] == []
    assert stranger.external_id is None and stranger.merged_into_id is None
    replies = await _reply_texts(flow, session_factory, "telegram", "tg-5", "де моє замовлення")
    assert replies and not any("96001" in text or "NP96" in text for text in replies)
    refused = await client.post("/api/notifications", json={**SHIPPED, "customer": "C960",
                                                            "params": {"number": "96001", "tracking": "NP96"}},
                                headers=headers["integration"])
    assert refused.status_code == 409, refused.text
    async with session_factory() as session:
        undone = await session.scalar(select(AuditRecord).where(AuditRecord.action == "customer.unmerge"))
        assert (undone.actor_type, undone.details["reason"], undone.details["phone"]) == \
            ("system", "shop_removed_phone", "+380671110000")
    again = await client.put("/api/customers/C960", json={**halyna, "phones": ["+380671119999"]},
                             headers=headers["integration"])
    assert again.json()["split_off"] == [] and again.json()["linked"] == []
