"""A shopper who asked for a person in Telegram and in Viber, then shares their phone in both, has one
conversation with people afterwards: on the messenger they write from now, and the rating lands on it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, update

from bots.flow import InboundFlow
from bots.steps import default_steps
from core import events
from core.bus import MemoryEventBus
from core.models import AuditRecord, Conversation, ConversationEvent, Message, StaffUser
from handoff import flows
from handoff.state import SYSTEM, Outcome
from tests.support.customers import shopper
from tests.support.handoff import make_agent
from tests.support.staff import bearer_for

PHONE = "+380501234567"
PERSON = {"data": "handoff:request"}


@pytest.fixture
def flow(settings, session_factory):
    return InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps())


async def _ask_for_a_person(flow, channel: str, user: str) -> int:
    result = await flow.process(shopper(channel, user, kind="callback", payload=PERSON, language="uk"))
    return result.conversation_id


async def _conversation(session_factory, conversation_id: int) -> Conversation:
    async with session_factory() as session:
        return await session.get(Conversation, conversation_id)


async def test_two_queued_conversations_become_one_on_the_messenger_written_from(flow, session_factory):
    # Found by QA: both stayed queued for one customer; two agents answered one person, each on another
    # messenger, and ratings landed on the wrong conversation.
    telegram = await _ask_for_a_person(flow, "telegram", "tg-1")
    viber = await _ask_for_a_person(flow, "viber", "vb-1")
    await flow.process(shopper("telegram", "tg-1", kind="contact", phone=PHONE))
    shared = await flow.process(shopper("viber", "vb-1", kind="contact", phone=PHONE, language="uk"))

    kept, closed = await _conversation(session_factory, telegram), await _conversation(session_factory, viber)
    assert (kept.status, kept.channel, kept.chat_id) == ("queued", "viber", "vb-1")  # it waited longer
    assert (closed.status, closed.awaiting_csat, closed.customer_id) == ("resolved", False, kept.customer_id)
    assert shared.conversation_id == kept.id
    async with session_factory() as session:
        event = await session.scalar(select(ConversationEvent).where(ConversationEvent.conversation_id == viber,
                                                                     ConversationEvent.kind == "resolved"))
        assert (event.reason, event.data, event.actor_type) == (
            "joined", {"into": telegram, "running": ["first_response"]}, "system")
        contact = await session.get(Message, shared.message_id)
        assert contact.conversation_id == kept.id
        held = (await session.scalars(select(Conversation.id).where(
            Conversation.customer_id == kept.customer_id, Conversation.status.in_(("queued", "assigned"))))).all()
        assert held == [telegram]

    # The shopper writes on in Viber: into the one conversation, which then asks for the rating there.
    later = await flow.process(shopper("viber", "vb-1", text="ну що там?", language="uk"))
    assert later.conversation_id == telegram
    async with session_factory() as session, session.begin():
        conversation = await session.get(Conversation, telegram)
        await flows.resolve(session, conversation, actor=SYSTEM, language="uk", outcome=Outcome())
    rated = await flow.process(shopper("viber", "vb-1", text="5", language="uk"))
    assert rated.conversation_id == telegram
    assert (await _conversation(session_factory, telegram)).csat_score == 5
    assert (await _conversation(session_factory, viber)).csat_score is None


async def test_the_conversation_a_person_answers_is_kept_and_takes_the_higher_priority(flow, session_factory):
    telegram = await _ask_for_a_person(flow, "telegram", "tg-1")
    viber = await _ask_for_a_person(flow, "viber", "vb-1")
    async with session_factory() as session, session.begin():
        await session.execute(update(Conversation).where(Conversation.id == telegram).values(priority=100))
        await session.execute(update(Conversation).where(Conversation.id == viber)
                              .values(status="assigned", assignee_id=None))
    await flow.process(shopper("viber", "vb-1", kind="contact", phone=PHONE))
    await flow.process(shopper("telegram", "tg-1", kind="contact", phone=PHONE))

    kept, closed = await _conversation(session_factory, viber), await _conversation(session_factory, telegram)
    assert (kept.status, kept.priority, kept.channel) == ("assigned", 100, "telegram")
    assert closed.status == "resolved"


async def test_the_shopper_is_answered_in_the_language_they_write_in_here(flow, session_factory):
    # Found by the second QA pass: the Viber shopper, who wrote Russian, got the phone confirmation in the
    # Ukrainian of the Telegram conversation that was kept.
    telegram = await _ask_for_a_person(flow, "telegram", "tg-1")  # in Ukrainian
    await flow.process(shopper("viber", "vb-1", text="позовите оператора пожалуйста", language="ru"))
    await flow.process(shopper("telegram", "tg-1", kind="contact", phone=PHONE, language="uk"))
    shared = await flow.process(shopper("viber", "vb-1", kind="contact", phone=PHONE, language="ru"))
    async with session_factory() as session:
        [confirmation] = [await session.get(Message, reply_id) for reply_id in shared.reply_message_ids]
        kept = await session.get(Conversation, telegram)
    assert confirmation.text.startswith("Спасибо, ваш номер") and confirmation.channel == "viber"
    assert (kept.status, kept.language) == ("queued", "ru")


async def test_a_merge_made_by_staff_joins_the_conversations_too(flow, client, session_factory):
    # Found by the second QA pass: an admin's merge left both conversations queued for one customer.
    telegram = await _ask_for_a_person(flow, "telegram", "tg-1")
    viber = await _ask_for_a_person(flow, "viber", "vb-1")
    later = await flow.process(shopper("viber", "vb-1", text="ну що там?", language="uk"))  # written in last
    async with session_factory() as session:
        source = (await session.get(Conversation, viber)).customer_id
        target = (await session.get(Conversation, telegram)).customer_id
    admin = await bearer_for(session_factory, "admin")
    merged = await client.post(f"/api/customers/{source}/merge", json={"into": target}, headers=admin)
    assert merged.status_code == 200, merged.text
    kept, closed = await _conversation(session_factory, telegram), await _conversation(session_factory, viber)
    assert later.conversation_id == viber
    assert (kept.status, kept.channel, closed.status) == ("queued", "viber", "resolved")


async def _merge_and_unmerge(client, session_factory, *, source: int, target: int) -> dict:
    admin = await bearer_for(session_factory, "admin")
    merged = await client.post(f"/api/customers/{source}/merge", json={"into": target}, headers=admin)
    assert merged.status_code == 200, merged.text
    return admin


async def test_an_unmerge_reopens_the_conversation_the_merge_joined(flow, client, session_factory):
    # Found in review: the split-off shopper's conversation stayed resolved into the other person's, so
    # nobody answered them any more and their place in the queue was gone.
    telegram = await _ask_for_a_person(flow, "telegram", "tg-1")
    viber = await _ask_for_a_person(flow, "viber", "vb-1")
    await flow.process(shopper("viber", "vb-1", text="ну що там?", language="uk"))  # written in last
    before = await _conversation(session_factory, viber)
    admin = await _merge_and_unmerge(client, session_factory, source=before.customer_id,
                                     target=(await _conversation(session_factory, telegram)).customer_id)
    since = await flow.process(shopper("viber", "vb-1", text="я ще тут", language="uk"))  # into the kept one
    assert since.conversation_id == telegram

    reopened_live = asyncio.Event()

    async def listen(topic: str, event: dict) -> None:
        if topic == events.CONVERSATION_UPDATED and (event["conversation_id"], event["change"]) == (viber, "unjoined"):
            reopened_live.set()

    client.app.state.services.bus.subscribe(events.CONVERSATION_UPDATED, listen)
    restored = await client.post(f"/api/customers/{before.customer_id}/unmerge", headers=admin)
    assert restored.status_code == 200, restored.text

    reopened, kept = await _conversation(session_factory, viber), await _conversation(session_factory, telegram)
    assert (reopened.status, reopened.customer_id, reopened.channel, reopened.chat_id) == (
        "queued", before.customer_id, "viber", "vb-1")
    assert (reopened.team, reopened.handoff_reason, reopened.waiting_since, reopened.resolved_at) == (
        before.team, before.handoff_reason, before.waiting_since, None)
    assert reopened.first_response_due_at is not None
    assert (kept.status, kept.channel, kept.chat_id) == ("queued", "telegram", "tg-1")
    async with session_factory() as session:
        written_since = await session.get(Message, since.message_id)
        assert (written_since.conversation_id, written_since.customer_id) == (viber, before.customer_id)
        event = await session.scalar(select(ConversationEvent).where(ConversationEvent.conversation_id == viber)
                                     .order_by(ConversationEvent.id.desc()).limit(1))
        assert (event.kind, event.reason, event.to_status, event.data["joined_into"]) == (
            "handoff", "unjoined", "queued", telegram)
        audit = await session.scalar(select(AuditRecord).where(AuditRecord.action == "customer.unmerge"))
        assert audit.details["reopened"] == [viber]
        place = await session.scalar(select(Message).where(Message.conversation_id == viber, Message.direction == "out")
                                     .order_by(Message.id.desc()).limit(1))
        assert (place.chat_id, place.author) == ("vb-1", "system") and "2-й у черзі" in place.text  # after tg-1
    await asyncio.wait_for(reopened_live.wait(), 10)  # the Redis bus delivers on its own task, the memory bus at once


@pytest.mark.parametrize(("active", "capacity", "status"), [(True, 5, "assigned"), (False, 5, "queued"),
                                                          (True, 0, "queued")],
                         ids=["agent-still-there", "agent-gone", "agent-at-capacity"])
async def test_a_reopened_conversation_goes_back_to_its_agent_while_they_can_take_it(
        flow, client, session_factory, active, capacity, status):
    olena = await make_agent(session_factory, "olena@shop.ua", status="offline")
    petro = await make_agent(session_factory, "petro@shop.ua", status="online")
    telegram = await _ask_for_a_person(flow, "telegram", "tg-1")
    viber = await _ask_for_a_person(flow, "viber", "vb-1")
    async with session_factory() as session, session.begin():
        await session.execute(update(Conversation).where(Conversation.id == telegram)
                              .values(status="assigned", assignee_id=olena))
        await session.execute(update(Conversation).where(Conversation.id == viber)
                              .values(status="assigned", assignee_id=petro))
    source = (await _conversation(session_factory, viber)).customer_id
    admin = await _merge_and_unmerge(client, session_factory, source=source,
                                     target=(await _conversation(session_factory, telegram)).customer_id)
    assert (await _conversation(session_factory, viber)).status == "resolved"  # joined into Olena's
    async with session_factory() as session, session.begin():
        await session.execute(update(StaffUser).where(StaffUser.id == petro).values(active=active, capacity=capacity))

    restored = await client.post(f"/api/customers/{source}/unmerge", headers=admin)
    assert restored.status_code == 200, restored.text
    reopened = await _conversation(session_factory, viber)
    assert (reopened.status, reopened.assignee_id) == (status, petro if status == "assigned" else None)
    assert (await _conversation(session_factory, telegram)).status == "assigned"


async def _unmerge_leaving_the_join(client, session_factory, *, source: int, admin: dict, joined: int) -> dict:
    """Unmerge ``source``; ``joined`` must stay resolved and its shopper must hear nothing. Returns the audit."""
    async with session_factory() as session:
        last_message = await session.scalar(select(func.max(Message.id)))
    restored = await client.post(f"/api/customers/{source}/unmerge", headers=admin)
    assert restored.status_code == 200, restored.text
    left = await _conversation(session_factory, joined)
    assert (left.status, left.customer_id) == ("resolved", source)
    async with session_factory() as session:
        sent = (await session.scalars(select(Message.text).where(Message.id > last_message,
                                                                 Message.direction == "out"))).all()
        assert sent == []  # no "you are number 1 in the queue"
        return await session.scalar(select(AuditRecord).where(AuditRecord.action == "customer.unmerge"))


async def _two_shoppers_merged(flow, client, session_factory) -> tuple[int, int, int, dict]:
    """A Telegram and a Viber shopper, each waiting for a person, merged by an admin: the Telegram
    conversation, the Viber one (joined into it), the Viber shopper's customer id and the admin's headers."""
    telegram = await _ask_for_a_person(flow, "telegram", "tg-1")
    viber = await _ask_for_a_person(flow, "viber", "vb-1")
    await flow.process(shopper("viber", "vb-1", text="ну що там?", language="uk"))  # written in last
    source = (await _conversation(session_factory, viber)).customer_id
    admin = await _merge_and_unmerge(client, session_factory, source=source,
                                     target=(await _conversation(session_factory, telegram)).customer_id)
    return telegram, viber, source, admin


async def test_an_unmerge_leaves_the_join_when_the_kept_conversation_is_finished(flow, client, session_factory):
    # Found in review: the kept conversation was resolved days ago, yet the unmerge put the joined one
    # back in the queue with its old waiting time (ahead of everyone) and told the shopper their place.
    telegram, viber, source, admin = await _two_shoppers_merged(flow, client, session_factory)
    async with session_factory() as session, session.begin():
        kept = await session.get(Conversation, telegram)
        await flows.resolve(session, kept, actor=SYSTEM, language="uk", outcome=Outcome())

    audit = await _unmerge_leaving_the_join(client, session_factory, source=source, admin=admin, joined=viber)
    assert (audit.details["reopened"], audit.details["not_reopened"]) == (
        [], [{"conversation_id": viber, "reason": "joined_into_finished"}])
    assert (await _conversation(session_factory, telegram)).status == "resolved"


async def test_an_unmerge_leaves_the_join_when_the_shopper_has_a_newer_conversation(flow, client, session_factory):
    telegram, viber, source, admin = await _two_shoppers_merged(flow, client, session_factory)
    # The kept conversation was with the bot for a while (handed back, later handed off again): the
    # Viber shopper wrote meanwhile and so started a conversation of their own.
    async with session_factory() as session, session.begin():
        await session.execute(update(Conversation).where(Conversation.id == telegram).values(status="bot"))
    newer = await flow.process(shopper("viber", "vb-1", text="привіт", language="uk"))
    assert newer.conversation_id not in (telegram, viber)
    async with session_factory() as session, session.begin():
        await session.execute(update(Conversation).where(Conversation.id == telegram).values(status="queued"))

    audit = await _unmerge_leaving_the_join(client, session_factory, source=source, admin=admin, joined=viber)
    assert (audit.details["reopened"], audit.details["not_reopened"]) == (
        [], [{"conversation_id": viber, "reason": "newer_conversation"}])
    assert (await _conversation(session_factory, newer.conversation_id)).customer_id == source
    assert (await _conversation(session_factory, telegram)).status == "queued"
