"""The shop writing an account links (or splits off) the messenger shoppers who verified its phones, and
their conversations with people follow as after staff's merge and unmerge: joined into one, moved to
the VIP line for a VIP account (by a push or an import), reopened when the shop removes the phone again.

Regression: a shop PUT merged the records but left each shopper's conversation queued on its own, so
two agents answered one VIP in the general line; removing the phone left the split-off shopper's
conversation closed into the account's, with nobody answering them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from core.models import AuditRecord, Conversation, ConversationEvent
from tests.support.cli import run_cli
from tests.support.customers import role_headers, shopper
from tests.support.handoff import flow_with_support_and_vip_teams

PERSON = {"data": "handoff:request"}
TELEGRAM_PHONE, VIBER_PHONE = "+380971234567", "+380671112233"
VIP_ACCOUNT = {"name": "Kateryna", "tags": ["vip"], "phones": [TELEGRAM_PHONE, VIBER_PHONE]}


@pytest.fixture
async def flow(settings, session_factory):
    return await flow_with_support_and_vip_teams(settings, session_factory)


async def _waits_with_verified_phone(flow, channel: str, user: str, phone: str) -> int:
    asked = await flow.process(shopper(channel, user, kind="callback", payload=PERSON, language="uk"))
    await flow.process(shopper(channel, user, kind="contact", phone=phone, language="uk"))
    return asked.conversation_id


async def _conversation(session_factory, conversation_id: int) -> Conversation:
    async with session_factory() as session:
        return await session.get(Conversation, conversation_id)


async def _two_shoppers_wait(flow, session_factory) -> tuple[int, int]:
    telegram = await _waits_with_verified_phone(flow, "telegram", "tg-1", TELEGRAM_PHONE)
    viber = await _waits_with_verified_phone(flow, "viber", "vb-1", VIBER_PHONE)
    for conversation_id in (telegram, viber):
        waiting = await _conversation(session_factory, conversation_id)
        assert (waiting.status, waiting.team, waiting.priority) == ("queued", "support", 0)
    return telegram, viber


async def _joined_in_the_vip_line(session_factory, telegram: int, viber: int) -> None:
    kept, closed = await _conversation(session_factory, telegram), await _conversation(session_factory, viber)
    assert (kept.status, closed.status) == ("queued", "resolved")
    assert (kept.team, kept.priority, kept.channel) == ("vip", 100, "viber")  # the messenger written from last
    async with session_factory() as session:
        joined = await session.scalar(select(ConversationEvent).where(ConversationEvent.conversation_id == viber)
                                      .order_by(ConversationEvent.id.desc()).limit(1))
        promoted = await session.scalar(select(ConversationEvent).where(
            ConversationEvent.conversation_id == telegram, ConversationEvent.kind == "transferred"))
    assert (joined.reason, joined.data["into"]) == ("joined", telegram)
    assert (promoted.reason, promoted.data["to_team"]) == ("vip", "vip")


async def _shop_puts_the_vip_account(flow, client, session_factory) -> tuple[dict, int, int]:
    telegram, viber = await _two_shoppers_wait(flow, session_factory)
    headers = await role_headers(session_factory, "integration", "agent")
    pushed = await client.put("/api/customers/C700", json=VIP_ACCOUNT, headers=headers["integration"])
    assert pushed.status_code == 200, pushed.text
    assert len(pushed.json()["linked"]) == 2
    return headers, telegram, viber


async def test_a_shop_push_linking_two_waiting_shoppers_joins_them_in_the_vip_line(flow, client, session_factory):
    headers, telegram, viber = await _shop_puts_the_vip_account(flow, client, session_factory)

    card = await client.get("/api/customers/C700", headers=headers["agent"])
    assert sorted((c["id"], c["status"]) for c in card.json()["conversations"]) == [
        (telegram, "queued"), (viber, "resolved")]
    await _joined_in_the_vip_line(session_factory, telegram, viber)


async def test_the_shops_import_linking_two_waiting_shoppers_joins_them_in_the_vip_line(flow, settings,
                                                                                        session_factory, tmp_path):
    telegram, viber = await _two_shoppers_wait(flow, session_factory)
    export = tmp_path / "customers.json"
    export.write_text(json.dumps([{**VIP_ACCOUNT, "external_id": "C700"}]), encoding="utf-8")

    imported = run_cli("customers", "import", str(export), env={"RELAYDESK_DATABASE_URL": settings.database_url})

    assert imported.returncode == 0, imported.stderr
    assert "2 linked to their account" in imported.stdout
    await _joined_in_the_vip_line(session_factory, telegram, viber)


async def test_a_shop_push_removing_the_phone_reopens_the_split_off_shoppers_conversation(flow, client,
                                                                                          session_factory):
    headers, telegram, viber = await _shop_puts_the_vip_account(flow, client, session_factory)

    pushed = await client.put("/api/customers/C700", json={**VIP_ACCOUNT, "phones": [TELEGRAM_PHONE]},
                              headers=headers["integration"])

    assert pushed.status_code == 200, pushed.text
    assert [s["phone"] for s in pushed.json()["split_off"]] == [VIBER_PHONE]
    reopened = await _conversation(session_factory, viber)
    assert (reopened.status, reopened.team, reopened.channel, reopened.chat_id) == ("queued", "support", "viber",
                                                                                    "vb-1")
    async with session_factory() as session:
        audit = await session.scalar(select(AuditRecord).where(AuditRecord.action == "customer.unmerge"))
    assert (audit.details["reason"], audit.details["reopened"]) == ("shop_removed_phone", [viber])
