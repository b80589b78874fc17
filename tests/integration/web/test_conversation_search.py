"""Finding conversations with ``GET /api/conversations?q=``: by the customer's name or phone or a word of a
message, resolved ones too, for everyone who may list conversations, and a 400 for a query that is no search."""

from __future__ import annotations

import dataclasses

import pytest

from core.models import Conversation, CustomerPhone
from tests.support.handoff import harness, make_agent, make_team, shopper, token_for


@pytest.fixture
async def staff(session_factory) -> dict[str, int]:
    """Two agents of one team, a supervisor and an editor; their ids by first name."""
    await make_team(session_factory, "support", skills=["general"])
    return {
        "olena": await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena"),
        "petro": await make_agent(session_factory, "petro@shop.ua", team="support", name="Petro"),
        "taras": await make_agent(session_factory, "taras@shop.ua", role="supervisor", name="Taras"),
        "editor": await make_agent(session_factory, "editor@shop.ua", role="editor"),
    }


async def _handed_off(flow, *, user: str, name: str, text: str) -> int:
    """A shopper called ``name`` who wrote ``text`` and then asked for a person; the conversation's id."""
    await flow.flow.process(dataclasses.replace(shopper(text, user=user), display_name=name))
    asked = dataclasses.replace(shopper("person", user=user, data="handoff:request"), display_name=name)
    return (await flow.flow.process(asked)).conversation_id


@pytest.fixture
async def conversations(settings, session_factory, staff, client) -> dict[str, int]:
    """Marta's complaint, taken and resolved by Petro (her phone +380671234567), and Ivan's queued question
    (in Ukrainian, as most are)."""
    flow = harness(settings, session_factory)
    marta = await _handed_off(flow, user="501", name="Marta Koval", text="The kettle arrived broken")
    ivan = await _handed_off(flow, user="502", name="Іван Бойко", text="Чайник досі не прийшов, order 77")
    async with session_factory() as session, session.begin():
        customer_id = (await session.get(Conversation, marta)).customer_id
        session.add(CustomerPhone(customer_id=customer_id, phone="+380671234567"))
    petro = await token_for(session_factory, staff["petro"])
    for action in ("assign", "resolve"):
        response = await client.post(f"/api/conversations/{marta}/{action}", json={}, headers=petro)
        assert response.status_code == 200, response.text
    return {"marta": marta, "ivan": ivan}


async def _found(client, headers, query: str) -> list[tuple[int, str, str]]:
    response = await client.get("/api/conversations", params={"q": query}, headers=headers)
    assert response.status_code == 200, response.text
    return [(item["id"], item["status"], item["customer_name"]) for item in response.json()]


async def test_an_agent_finds_a_resolved_conversation_by_name_phone_or_message(
        client, session_factory, staff, conversations) -> None:
    olena = await token_for(session_factory, staff["olena"])  # not the agent who resolved it
    marta = (conversations["marta"], "resolved", "Marta Koval")
    for query in ("marta", "  KOVAL ", "067 123 45 67", "+380671234567", "kettle", "BROKEN"):
        assert await _found(client, olena, query) == [marta], query
    ivan = (conversations["ivan"], "queued", "Іван Бойко")
    # Typed in lower case as agents do; stored capitalized.
    for query in ("order 77", "іван бойко", "чайник"):
        assert await _found(client, olena, query) == [ivan], query
    # A search narrowed like the lists: by status, and to one's own.
    narrowed = await client.get("/api/conversations", params={"q": "marta", "status": "queued"}, headers=olena)
    assert narrowed.json() == []
    unknown = await client.get("/api/conversations", params={"q": "marta", "status": "closed"}, headers=olena)
    assert unknown.status_code == 400 and "unknown status" in unknown.json()["detail"]
    petro = await token_for(session_factory, staff["petro"])
    mine = await client.get("/api/conversations", params={"q": "kettle", "mine": "true"}, headers=petro)
    assert [item["id"] for item in mine.json()] == [conversations["marta"]]
    assert (await client.get("/api/conversations", params={"q": "kettle", "mine": "true"},
                             headers=olena)).json() == []
    # Wildcards of SQL are letters here, not "anything".
    assert await _found(client, olena, "%%") == []
    assert await _found(client, olena, "nobody") == []


@pytest.mark.parametrize("query", ["a", "   ", "x" * 101])
async def test_a_query_too_short_or_too_long_is_a_400_naming_q(client, session_factory, staff, query) -> None:
    response = await client.get("/api/conversations", params={"q": query},
                                headers=await token_for(session_factory, staff["olena"]))
    assert response.status_code == 400
    assert response.json()["extra"] == [{"field": "q", "error": "between 2 and 100 characters"}]


async def test_search_is_for_whoever_may_list_conversations(client, session_factory, staff, conversations) -> None:
    assert (await client.get("/api/conversations", params={"q": "marta"})).status_code == 401
    editor = await token_for(session_factory, staff["editor"])
    assert (await client.get("/api/conversations", params={"q": "marta"}, headers=editor)).status_code == 403
    taras = await token_for(session_factory, staff["taras"])
    assert [item for item, *_ in await _found(client, taras, "marta")] == [conversations["marta"]]

