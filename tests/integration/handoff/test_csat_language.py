"""The rating request and the thanks speak the shopper's language by the bot's one rule.

Regression: with no language stored on the conversation or the customer, both came in the shop's
default language although the shopper's messenger said Russian (the rest of the bot used that hint).
A hand-off stores the language it spoke in, so the test clears it, as in a row written without one.
"""

from __future__ import annotations

from sqlalchemy import select

from core.models import Conversation, Customer, Message
from handoff import texts
from tests.support.handoff import harness, make_agent, shopper, token_for


async def _bot_texts(factory, conversation_id: int) -> list[str]:
    async with factory() as session:
        return list((await session.scalars(
            select(Message.text).where(Message.conversation_id == conversation_id, Message.author == "bot")
            .order_by(Message.id))).all())


async def test_rating_request_and_thanks_follow_the_channel_hint_when_nothing_else_is_known(
        client, settings, session_factory) -> None:
    flow = harness(settings, session_factory)
    # The first update carries no language (so the customer gets no preferred one); the next says Russian.
    queued = await flow.flow.process(shopper("Talk to a person", data="handoff:request", language=None))
    await flow.flow.process(shopper("здравствуйте, я жду", language="ru"))
    async with session_factory() as session, session.begin():
        conversation = await session.get(Conversation, queued.conversation_id)
        conversation.language = None
        customer = await session.get(Customer, conversation.customer_id)
        assert customer.preferred_language is None
    agent = await token_for(session_factory, await make_agent(session_factory, "agent@shop.test", status="online"))
    base = f"/api/conversations/{queued.conversation_id}"
    assert (await client.post(f"{base}/assign", headers=agent)).status_code == 200
    assert (await client.post(f"{base}/resolve", headers=agent)).status_code == 200
    await flow.flow.process(shopper("5", data="csat:5", language=None))
    bot_texts = await _bot_texts(session_factory, queued.conversation_id)
    assert bot_texts[-2:] == [texts.text("csat_question", "ru"), texts.text("csat_thanks", "ru")]


async def test_a_language_switch_while_an_agent_answers_is_followed_by_the_rating_question(
        client, settings, session_factory) -> None:
    flow = harness(settings, session_factory)
    queued = await flow.flow.process(shopper("I want to talk to a human", data="handoff:request", language="en"))
    await flow.flow.process(shopper("вибачте, можна українською? я не дуже розумію англійську", language="en"))
    agent = await token_for(session_factory, await make_agent(session_factory, "agent@shop.test", status="online"))
    base = f"/api/conversations/{queued.conversation_id}"
    await client.post(f"{base}/assign", headers=agent)
    assert (await client.post(f"{base}/resolve", headers=agent)).status_code == 200
    assert (await _bot_texts(session_factory, queued.conversation_id))[-1] == texts.text("csat_question", "uk")
    rated = await flow.flow.process(shopper("ставлю 5, дякую", language="en"))  # typed, not pressed
    async with session_factory() as session:
        conversation = await session.get(Conversation, rated.conversation_id)
        assert (conversation.id, conversation.csat_score) == (queued.conversation_id, 5)
