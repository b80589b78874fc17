"""Which conversation a shopper's message belongs to: the one people hold first, and a resolved one only
for its rating (found by the messenger QA pass)."""

from __future__ import annotations

from sqlalchemy import select

from core.customers.merge import merge
from core.models import Conversation, Customer, Identity
from handoff import flows
from handoff.state import SYSTEM, Outcome
from tests.support.handoff import harness, make_agent, make_team, shopper


async def _conversation(factory, conversation_id: int) -> Conversation:
    async with factory() as session:
        return await session.get(Conversation, conversation_id)


async def _customer_of(session, channel: str, user: str) -> Customer:
    identity = await session.scalar(select(Identity).where(Identity.channel == channel, Identity.external_id == user))
    return await session.get(Customer, identity.customer_id)


async def test_a_linked_second_messenger_stays_with_the_agent(settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", status="online", name="Olena")
    flow = harness(settings, session_factory)
    handed = await flow.flow.process(shopper("Talk to a person", data="handoff:request", user="tg-1"))
    assert (await _conversation(session_factory, handed.conversation_id)).status == "assigned"
    # The same shopper opens the shop's link on Viber: the Viber customer, with its own fresh bot
    # conversation, is merged into theirs.
    greeted = await flow.flow.process(shopper("Hello, I am on Viber now", user="vb-1", channel="viber"))
    async with session_factory() as session, session.begin():
        await merge(session, source=await _customer_of(session, "viber", "vb-1"),
                    target=await _customer_of(session, "telegram", "tg-1"), reason="shop_account",
                    actor_type="customer", actor_id=None)
    assert greeted.conversation_id > handed.conversation_id

    later = await flow.flow.process(shopper("Are you still there?", user="vb-1", channel="viber"))
    assert later.conversation_id == handed.conversation_id and later.reply_message_ids == []  # the bot is quiet
    conversation = await _conversation(session_factory, handed.conversation_id)
    # Olena's next reply goes where the shopper wrote last.
    assert (conversation.status, conversation.channel, conversation.chat_id) == ("assigned", "viber", "vb-1")


async def test_a_message_after_resolution_starts_a_new_conversation_and_never_reopens_it(
        settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    flow = harness(settings, session_factory)
    handed = await flow.flow.process(shopper("Talk to a person", data="handoff:request", user="7"))
    async with session_factory() as session, session.begin():
        conversation = await session.get(Conversation, handed.conversation_id)
        await flows.resolve(session, conversation, actor=SYSTEM, language="en", outcome=Outcome())
    again = await flow.flow.process(shopper("I need a person again", data="handoff:request", user="7"))
    assert again.conversation_id != handed.conversation_id
    resolved = await _conversation(session_factory, handed.conversation_id)
    assert (resolved.status, resolved.awaiting_csat) == ("resolved", False)
    assert (await _conversation(session_factory, again.conversation_id)).status == "queued"
