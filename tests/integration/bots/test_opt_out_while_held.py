"""A shopper whom people hold (queued or assigned) who writes "stop" or "subscribe": the choice is recorded.

Found in support: "відписатися" while waiting for an agent got "your message is passed on" (or nothing,
once an agent had joined) and the promotions kept coming. Now the choice is recorded and audited as with
the bot, the shopper hears it confirmed instead of the acknowledgement, and the agents still see the
message like any other.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bots.steps.customer_texts import TEXTS
from core.database import utcnow
from core.models import AuditRecord, Conversation, Customer, Message, StaffUser
from handoff import flows
from handoff.state import SYSTEM, Outcome
from handoff.waiting import ACKNOWLEDGE_EVERY
from tests.support.handoff import harness, make_agent, queued_request_for_a_person, shopper


async def _held(settings, session_factory, status: str) -> int:
    """A conversation of shopper 1001 queued for a person (and taken by an agent when ``status`` says so),
    whose last word from us is long enough ago that a further message would be acknowledged."""
    conversation_id = await queued_request_for_a_person(settings, session_factory)
    if status == "assigned":
        agent_id = await make_agent(session_factory, "olena@shop.ua", name="Olena")
        async with session_factory() as session, session.begin():
            await flows.assign(session, await session.get(Conversation, conversation_id),
                               await session.get(StaffUser, agent_id), actor=SYSTEM, language="en",
                               outcome=Outcome())
    async with session_factory() as session, session.begin():
        await session.execute(update(Message).where(Message.conversation_id == conversation_id,
                                                    Message.direction == "out")
                              .values(created_at=utcnow() - 2 * ACKNOWLEDGE_EVERY))
    return conversation_id


async def _replies(session_factory, message_ids: list[int]) -> list[str]:
    async with session_factory() as session:
        return list((await session.scalars(select(Message.text).where(Message.id.in_(message_ids))
                                           .order_by(Message.id))).all())


@pytest.mark.parametrize("status", ["queued", "assigned"])
@pytest.mark.parametrize(("word", "language"), [("stop", "en"), ("відписатися", "uk"), ("отписаться", "ru")])
async def test_opting_out_while_people_hold_the_conversation_is_recorded_and_confirmed(
        settings, session_factory, status, word, language) -> None:
    conversation_id = await _held(settings, session_factory, status)
    flow = harness(settings, session_factory)

    result = await flow.flow.process(shopper(word, language=language))

    assert result.conversation_id == conversation_id
    assert await _replies(session_factory, result.reply_message_ids) == [TEXTS["opted_out"][language]]
    async with session_factory() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation.status == status  # still the people's
        customer = await session.get(Customer, conversation.customer_id)
        assert customer.marketing_opt_out is True
        audit = (await session.scalars(select(AuditRecord).where(AuditRecord.target_id == str(customer.id)))).all()
        assert [(a.action, a.actor_type, a.details) for a in audit] == [
            ("customer.marketing_opt_out", "customer", {"channel": "telegram"})]
        stored = await session.get(Message, result.message_id)
        assert (stored.conversation_id, stored.direction, stored.text) == (conversation_id, "in", word)
    # The agents' console hears of the message as of any other the shopper writes to people.
    assert ("message.created", result.message_id) in [(t, e.get("message_id")) for t, e in flow.events]
    assert [e["change"] for t, e in flow.events if t == "conversation.updated"] == ["customer_message"]


async def test_subscribing_again_while_assigned_is_recorded(settings, session_factory) -> None:
    await _held(settings, session_factory, "assigned")
    flow = harness(settings, session_factory)
    await flow.flow.process(shopper("unsubscribe"))

    result = await flow.flow.process(shopper("/subscribe"))

    assert await _replies(session_factory, result.reply_message_ids) == [TEXTS["opted_in"]["en"]]
    async with session_factory() as session:
        conversation = await session.get(Conversation, result.conversation_id)
        assert (await session.get(Customer, conversation.customer_id)).marketing_opt_out is False
        actions = (await session.scalars(select(AuditRecord.action).where(
            AuditRecord.action.like("customer.marketing_%")).order_by(AuditRecord.id))).all()
        assert actions == ["customer.marketing_opt_out", "customer.marketing_opt_in"]
