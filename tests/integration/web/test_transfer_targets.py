"""Who a conversation can go to, and what the shopper hears: found by QA of the demo, where a transfer to
an offline agent told the shopper "Olena has joined", and the admin was listed as an agent to transfer to."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import Message
from handoff import routing, texts
from tests.support.handoff import harness, make_agent, make_team, shopper, token_for


@pytest.fixture
async def staff(session_factory):
    """A support team with an agent and a supervisor, and an admin without a team; returns their ids."""
    await make_team(session_factory, "support", skills=["general"])
    return {
        "olena": await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena"),
        "boss": await make_agent(session_factory, "boss@shop.ua", role="supervisor", name="Taras"),
        "admin": await make_agent(session_factory, "admin@shop.ua", role="admin", name="Admin", status="online"),
    }


async def _handed_off(settings, session_factory, language: str = "en") -> int:
    result = await harness(settings, session_factory).flow.process(
        shopper("person", data="handoff:request", language=language))
    return result.conversation_id


async def _last_text(factory, conversation_id: int) -> str:
    async with factory() as session:
        return await session.scalar(select(Message.text).where(Message.conversation_id == conversation_id)
                                    .order_by(Message.id.desc()).limit(1))


@pytest.mark.parametrize("status, told", [
    pytest.param("online", "Olena has joined.", id="online-joins"),
    pytest.param("away", texts.text("passed_to_absent", "en", agent="Olena"), id="away-replies-when-back"),
    pytest.param("offline", texts.text("passed_to_absent", "en", agent="Olena"), id="offline-replies-when-back"),
])
async def test_transfer_to_an_agent_tells_the_shopper_the_truth_about_them(client, settings, session_factory,
                                                                          staff, status, told) -> None:
    conversation = await _handed_off(settings, session_factory)
    boss = await token_for(session_factory, staff["boss"])
    assert (await client.post(f"/api/agents/{staff['olena']}/status", json={"status": status},
                              headers=boss)).status_code == 200
    given = await client.post(f"/api/conversations/{conversation}/transfer", json={"agent_id": staff["olena"]},
                              headers=boss)
    # Still allowed: a supervisor may want Olena to pick it up when she is back.
    assert (given.json()["status"], given.json()["assignee_id"]) == ("assigned", staff["olena"])
    assert await _last_text(session_factory, conversation) == told


@pytest.mark.parametrize("language, expected", [
    pytest.param("uk", "Розмову передано: Olena відповість вам, щойно повернеться на зв'язок.", id="uk"),
    pytest.param("ru", "Разговор передан: Olena ответит вам, как только вернётся на связь.", id="ru"),
])
async def test_the_offline_transfer_notice_is_in_the_shoppers_language(client, settings, session_factory, staff,
                                                                       language, expected) -> None:
    conversation = await _handed_off(settings, session_factory, language)
    boss = await token_for(session_factory, staff["boss"])
    await client.post(f"/api/conversations/{conversation}/transfer", json={"agent_id": staff["olena"]}, headers=boss)
    assert (await _last_text(session_factory, conversation)).startswith(expected)


async def test_the_admin_is_neither_listed_nor_a_transfer_target(client, settings, session_factory, staff) -> None:
    conversation = await _handed_off(settings, session_factory)
    admin = await token_for(session_factory, staff["admin"])
    listed = (await client.get("/api/agents", headers=admin)).json()
    assert {agent["email"] for agent in listed} == {"olena@shop.ua", "boss@shop.ua"}
    refused = await client.post(f"/api/conversations/{conversation}/transfer", json={"agent_id": staff["admin"]},
                                headers=admin)
    assert refused.status_code == 404 and "cannot take conversations" in refused.json()["detail"]
    # Admins still act on conversations as supervisors do.
    moved = await client.post(f"/api/conversations/{conversation}/transfer", json={"agent_id": staff["boss"]},
                              headers=admin)
    assert moved.json()["assignee_id"] == staff["boss"]
    me = (await client.get("/api/auth/me", headers=admin)).json()
    assert me["takes_conversations"] is False


async def test_routing_never_gives_a_conversation_to_an_online_admin(session_factory) -> None:
    # No teams: routing looks at every online member of staff, and the admin was the only one online.
    await make_agent(session_factory, "admin@shop.ua", role="admin", status="online")
    olena = await make_agent(session_factory, "olena@shop.ua", status="online")
    async with session_factory() as session:
        picked = await routing.pick_agent(session, None)
    assert picked is not None and picked.id == olena
