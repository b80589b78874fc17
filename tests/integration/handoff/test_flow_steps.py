"""The hand-off steps in the inbound flow: triggers, the shopper's texts, silence while people own it, CSAT."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import Conversation, ConversationEvent, Message, OutboxItem, StaffUser
from handoff import flows
from handoff.state import SYSTEM, Outcome
from tests.support.handoff import harness, make_agent, make_team, shopper


async def _conversation(factory, conversation_id: int) -> Conversation:
    async with factory() as session:
        return await session.get(Conversation, conversation_id)


async def _replies(factory, conversation_id: int) -> list[Message]:
    async with factory() as session:
        return list((await session.scalars(
            select(Message).where(Message.conversation_id == conversation_id, Message.direction == "out")
            .order_by(Message.id))).all())


async def test_talk_to_a_person_button_queues_and_tells_the_place_in_line(settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    flow = harness(settings, session_factory)
    first = await flow.flow.process(shopper("Talk to a person", data="handoff:request", user="1"))
    second = await flow.flow.process(shopper("Talk to a person", data="handoff:request", user="2"))
    conversation = await _conversation(session_factory, second.conversation_id)
    assert (conversation.status, conversation.team, conversation.handoff_reason) == (
        "queued", "support", "explicit_request")
    assert conversation.first_response_due_at is not None
    texts = [m.text for m in await _replies(session_factory, second.conversation_id)]
    assert texts == ["Connecting you with an agent — you are number 2 in the queue. Estimated wait: about 8 min."]
    assert [m.text for m in await _replies(session_factory, first.conversation_id)][0].startswith(
        "Connecting you with an agent — you are number 1 in the queue")
    async with session_factory() as session:
        event = await session.scalar(select(ConversationEvent).where(
            ConversationEvent.conversation_id == second.conversation_id))
    assert (event.kind, event.from_status, event.to_status, event.reason, event.actor_type) == (
        "handoff", "bot", "queued", "explicit_request", "customer")
    assert event.data["team"] == "support"
    assert "conversation.updated" in flow.topics()


@pytest.mark.parametrize("language, expected", [
    pytest.param("uk", "З'єднуємо вас з оператором — ви 1-й у черзі", id="uk"),
    pytest.param("ru", "Соединяем вас с оператором — вы 1-й в очереди", id="ru"),
])
async def test_the_queue_notice_speaks_the_shoppers_language(settings, session_factory, language, expected) -> None:
    flow = harness(settings, session_factory)
    result = await flow.flow.process(shopper("x", data="handoff:request", language=language))
    assert (await _replies(session_factory, result.conversation_id))[0].text.startswith(expected)


async def test_no_decision_means_no_handoff(settings, session_factory) -> None:
    flow = harness(settings, session_factory, decision=None)
    result = await flow.flow.process(shopper("where is my parcel"))
    assert (await _conversation(session_factory, result.conversation_id)).status == "bot"


@pytest.mark.parametrize("reason", ["explicit_request", "frustration", "sensitive_topic", "low_confidence"])
async def test_the_nlu_handoff_decision_queues_with_its_reason(settings, session_factory, reason) -> None:
    flow = harness(settings, session_factory, decision={"action": "handoff", "reason": reason})
    result = await flow.flow.process(shopper("..."))
    conversation = await _conversation(session_factory, result.conversation_id)
    assert (conversation.status, conversation.handoff_reason) == ("queued", reason)


async def test_an_unsure_bot_offers_the_talk_to_a_person_button(settings, session_factory) -> None:
    async def unsure_answer(ctx):
        ctx.decision = {"action": "fallback"}
        ctx.reply("Sorry, I could not find an answer to that.")

    flow = harness(settings, session_factory)
    flow.flow.steps = [*flow.flow.steps[:2], unsure_answer, flow.flow.steps[3]]
    result = await flow.flow.process(shopper("???"))
    [reply] = await _replies(session_factory, result.conversation_id)
    assert reply.payload["buttons"] == [[{"text": "Talk to a person", "data": "handoff:request"}]]
    assert reply.payload["keyboard"] == "inline"


async def test_bot_stays_silent_while_people_own_the_conversation(settings, session_factory) -> None:
    flow = harness(settings, session_factory)
    result = await flow.flow.process(shopper("person please", data="handoff:request"))
    before = len(await _replies(session_factory, result.conversation_id))
    again = await flow.flow.process(shopper("hello? anyone?"))
    assert again.conversation_id == result.conversation_id
    assert again.reply_message_ids == []
    assert len(await _replies(session_factory, result.conversation_id)) == before
    agent_id = await make_agent(session_factory, "olena@shop.ua", name="Olena")
    async with session_factory() as session, session.begin():
        conversation = await session.get(Conversation, result.conversation_id)
        agent = await session.get(StaffUser, agent_id)
        await flows.assign(session, conversation, agent, actor=SYSTEM, language="en", outcome=Outcome())
        conversation.first_response_due_at = None  # as if Olena had answered already
    flow.events.clear()
    third = await flow.flow.process(shopper("are you there?"))
    assert third.reply_message_ids == []
    conversation = await _conversation(session_factory, result.conversation_id)
    assert conversation.next_response_due_at is not None  # the shopper waits for the next reply now
    assert {"message.created", "conversation.updated"} <= set(flow.topics())


async def _resolved_conversation(settings, session_factory, flow) -> int:
    result = await flow.flow.process(shopper("person please", data="handoff:request"))
    async with session_factory() as session, session.begin():
        conversation = await session.get(Conversation, result.conversation_id)
        outcome = Outcome()
        await flows.resolve(session, conversation, actor=SYSTEM, language="en", outcome=outcome)
        await flows.send_notices(session, conversation, outcome)
    return result.conversation_id


async def test_resolve_asks_for_a_rating_and_the_button_stores_it(settings, session_factory) -> None:
    flow = harness(settings, session_factory)
    conversation_id = await _resolved_conversation(settings, session_factory, flow)
    question = (await _replies(session_factory, conversation_id))[-1]
    assert question.text == "Your conversation is resolved. Please rate our help from 1 to 5."
    assert [b["data"] for b in question.payload["buttons"][0]] == [f"csat:{n}" for n in range(1, 6)]
    rated = await flow.flow.process(shopper("4", data="csat:4"))
    assert rated.conversation_id == conversation_id
    conversation = await _conversation(session_factory, conversation_id)
    assert (conversation.csat_score, conversation.awaiting_csat, conversation.status) == (4, False, "resolved")
    assert (await _replies(session_factory, conversation_id))[-1].text == "Thank you for your rating!"
    async with session_factory() as session:
        kinds = (await session.scalars(select(ConversationEvent.kind).where(
            ConversationEvent.conversation_id == conversation_id).order_by(ConversationEvent.id))).all()
        assert kinds == ["handoff", "resolved", "csat_requested", "csat_rated"]
        rated_event = await session.scalar(select(ConversationEvent).where(ConversationEvent.kind == "csat_rated"))
        assert rated_event.data == {"score": 4}
    # The next message starts a new conversation with the bot.
    later = await flow.flow.process(shopper("one more question"))
    assert later.conversation_id != conversation_id
    assert (await _conversation(session_factory, later.conversation_id)).status == "bot"


async def test_a_typed_digit_is_a_rating_too(settings, session_factory) -> None:
    flow = harness(settings, session_factory)
    conversation_id = await _resolved_conversation(settings, session_factory, flow)
    await flow.flow.process(shopper(" 2 "))
    assert (await _conversation(session_factory, conversation_id)).csat_score == 2


async def test_a_message_instead_of_a_rating_stops_the_wait(settings, session_factory) -> None:
    flow = harness(settings, session_factory)
    conversation_id = await _resolved_conversation(settings, session_factory, flow)
    await flow.flow.process(shopper("actually, another question"))
    conversation = await _conversation(session_factory, conversation_id)
    assert (conversation.csat_score, conversation.awaiting_csat) == (None, False)
    async with session_factory() as session:
        assert await session.scalar(select(func.count(OutboxItem.id))) >= 2
