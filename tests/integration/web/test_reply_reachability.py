"""An agent's reply is not sent to a messenger the shopper has blocked or left while another one works."""

from __future__ import annotations

from sqlalchemy import select, update

from core.models import Conversation, Identity, OutboxItem
from tests.support.handoff import customer_on_viber_and_telegram, harness, make_agent, make_team, shopper, token_for


async def _shopper_on_two_messengers(settings, session_factory) -> int:
    """Oksana wrote on Telegram earlier; now she asks for a person on Viber. Returns that conversation."""
    await customer_on_viber_and_telegram(session_factory)
    flow = harness(settings, session_factory).flow
    await flow.process(shopper("hello", user="1001"))
    return (await flow.process(shopper("person", user="vb-1", channel="viber", data="handoff:request"))
            ).conversation_id


async def _leave_viber(session_factory) -> None:
    # What the Viber "unsubscribed" callback (or a dead delivery with status 6) records.
    async with session_factory() as session, session.begin():
        await session.execute(update(Identity).where(Identity.channel == "viber").values(subscribed=False))


async def _reply(client, session_factory, conversation_id: int, text: str) -> tuple[str, str]:
    agent = await make_agent(session_factory, f"{text[:5]}@shop.ua", team="support", name="Olena")
    headers = await token_for(session_factory, agent)
    taken = await client.post(f"/api/conversations/{conversation_id}/assign", json={}, headers=headers)
    assert taken.status_code == 200, taken.text
    response = await client.post(f"/api/conversations/{conversation_id}/messages", json={"text": text},
                                 headers=headers)
    assert response.status_code == 201, response.text
    async with session_factory() as session:
        outbox = await session.scalar(select(OutboxItem).where(OutboxItem.message_id == response.json()["id"]))
        return outbox.channel, outbox.chat_id


async def test_a_reply_goes_to_the_messenger_that_still_takes_messages(client, settings, session_factory) -> None:
    # Found by QA: after the shopper unsubscribed in Viber, the agent's reply was still sent there and died,
    # though the same customer was reachable on Telegram.
    await make_team(session_factory, "support", skills=["general"])
    conversation_id = await _shopper_on_two_messengers(settings, session_factory)
    await _leave_viber(session_factory)
    assert await _reply(client, session_factory, conversation_id, "Your order is at the Kyiv store") == (
        "telegram", "1001")
    async with session_factory() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert (conversation.channel, conversation.chat_id) == ("telegram", "1001")  # later replies too


async def test_with_no_messenger_left_the_reply_stays_on_the_conversations_own(client, settings,
                                                                             session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    conversation_id = await _shopper_on_two_messengers(settings, session_factory)
    async with session_factory() as session, session.begin():
        await session.execute(update(Identity).values(subscribed=False))
    # Nowhere to go: it is queued where it was, and its delivery fails where the agent can see it.
    assert await _reply(client, session_factory, conversation_id, "Anyone there?") == ("viber", "vb-1")
