"""An unmerge gives the conversation the merge kept the team and priority it had before the merge.

Regression: the kept conversation kept the priority it took from the conversation joined into it, and
the VIP line a merge into a VIP account moved it to, after the unmerge split the two people again; so
a regular shopper went on waiting ahead of everyone with another person's VIP priority.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from core.models import AuditRecord, Conversation, ConversationEvent, Customer, Message
from handoff import texts
from tests.support.customers import OKSANA, add_customers, shopper
from tests.support.handoff import flow_with_support_and_vip_teams, make_agent
from tests.support.staff import bearer_for

PERSON = {"data": "handoff:request"}


@pytest.fixture
async def flow(settings, session_factory):
    return await flow_with_support_and_vip_teams(settings, session_factory)


@pytest.fixture
async def admin(session_factory):
    return await bearer_for(session_factory, "admin")


async def _ask_for_a_person(flow, channel: str, user: str) -> int:
    return (await flow.process(shopper(channel, user, kind="callback", payload=PERSON, language="uk"))).conversation_id


async def _conversation(session_factory, conversation_id: int) -> Conversation:
    async with session_factory() as session:
        return await session.get(Conversation, conversation_id)


async def _post(client, path: str, admin: dict, **body) -> None:
    response = await client.post(path, headers=admin, **({"json": body} if body else {}))
    assert response.status_code == 200, response.text


async def _unmerge_audit(client, session_factory, admin: dict, source: int) -> dict:
    await _post(client, f"/api/customers/{source}/unmerge", admin)
    async with session_factory() as session:
        return (await session.scalar(select(AuditRecord).where(AuditRecord.action == "customer.unmerge"))).details


async def test_the_kept_conversation_gives_back_the_priority_it_took_from_the_joined_one(
        flow, client, session_factory, admin):
    olena = await make_agent(session_factory, "olena@shop.ua")
    telegram = await _ask_for_a_person(flow, "telegram", "tg-1")
    viber = await _ask_for_a_person(flow, "viber", "vb-1")
    async with session_factory() as session, session.begin():
        # Olena answers the Telegram shopper; the Viber one waits with a priority a breach raised.
        await session.execute(update(Conversation).where(Conversation.id == telegram)
                              .values(status="assigned", assignee_id=olena))
        await session.execute(update(Conversation).where(Conversation.id == viber).values(priority=10))
    source = (await _conversation(session_factory, viber)).customer_id
    target = (await _conversation(session_factory, telegram)).customer_id
    await _post(client, f"/api/customers/{source}/merge", admin, into=target)
    kept = await _conversation(session_factory, telegram)
    assert (kept.status, kept.priority, (await _conversation(session_factory, viber)).status) == (
        "assigned", 10, "resolved")

    audit = await _unmerge_audit(client, session_factory, admin, source)

    kept, reopened = await _conversation(session_factory, telegram), await _conversation(session_factory, viber)
    assert (kept.status, kept.assignee_id, kept.team, kept.priority) == ("assigned", olena, "support", 0)
    assert (reopened.status, reopened.priority) == ("queued", 10)
    assert (audit["restored"], audit["not_restored"], audit["reopened"]) == (
        [{"conversation_id": telegram, "team": "support", "priority": 0}], [], [viber])
    async with session_factory() as session:
        moved = await session.scalar(select(ConversationEvent).where(ConversationEvent.conversation_id == telegram)
                                     .order_by(ConversationEvent.id.desc()).limit(1))
    assert (moved.kind, moved.reason, moved.data["from_priority"], moved.data["priority"]) == (
        "transferred", "unmerged", 10, 0)


async def _walk_in_merged_into_a_vip(flow, client, session_factory, settings, admin) -> tuple[int, int]:
    """A Viber walk-in waiting in the support queue, merged by an admin into the VIP shop account Oksana,
    which moves the conversation to the VIP line: the conversation and the walk-in's customer id."""
    await add_customers(session_factory, settings, {**OKSANA, "tags": ["vip"]})
    conversation = await _ask_for_a_person(flow, "viber", "vb-7")
    async with session_factory() as session:
        walk_in = (await session.get(Conversation, conversation)).customer_id
        oksana = await session.scalar(select(Customer.id).where(Customer.external_id == OKSANA["external_id"]))
    await _post(client, f"/api/customers/{walk_in}/merge", admin, into=oksana)
    promoted = await _conversation(session_factory, conversation)
    assert (promoted.team, promoted.priority) == ("vip", 100)
    return conversation, walk_in


async def test_an_unmerge_takes_the_walk_in_out_of_the_vip_line_the_merge_moved_them_to(
        flow, client, session_factory, settings, admin):
    conversation, walk_in = await _walk_in_merged_into_a_vip(flow, client, session_factory, settings, admin)
    async with session_factory() as session:
        last_message = await session.scalar(select(Message.id).order_by(Message.id.desc()).limit(1))

    audit = await _unmerge_audit(client, session_factory, admin, walk_in)

    back = await _conversation(session_factory, conversation)
    assert (back.customer_id, back.status, back.team, back.priority) == (walk_in, "queued", "support", 0)
    assert back.first_response_due_at is not None  # restarted for the support team
    assert (audit["restored"], audit["not_restored"]) == (
        [{"conversation_id": conversation, "team": "support", "priority": 0}], [])
    async with session_factory() as session:
        told = (await session.scalars(select(Message.text).where(
            Message.conversation_id == conversation, Message.direction == "out", Message.id > last_message))).all()
    assert [text.split(":")[0] for text in told] == [texts.text("queued", "uk", position=1, minutes=0).split(":")[0]]


@pytest.mark.parametrize(("action", "body", "status", "team", "reason"), [
    pytest.param("transfer", {"team": "support"}, "queued", "support", "changed_since_merge", id="re-routed"),
    pytest.param("resolve", {}, "resolved", "vip", "finished", id="resolved"),
])
async def test_an_unmerge_leaves_what_people_did_with_the_kept_conversation_since_the_merge(
        flow, client, session_factory, settings, admin, action, body, status, team, reason):
    conversation, walk_in = await _walk_in_merged_into_a_vip(flow, client, session_factory, settings, admin)
    await _post(client, f"/api/conversations/{conversation}/{action}", admin, **body)

    audit = await _unmerge_audit(client, session_factory, admin, walk_in)

    left = await _conversation(session_factory, conversation)
    assert (left.status, left.team, left.priority) == (status, team, 100)
    assert (audit["restored"], audit["not_restored"]) == ([], [{"conversation_id": conversation, "reason": reason}])
