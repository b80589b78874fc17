"""One conversation with people per shopper once two customer records turn out to be one person.

A shopper who asked for a person in Telegram and again in Viber has two conversations in the queue;
when a shared phone or a shop link then joins the records, both belong to one customer. Left so,
two agents would answer one person at once, each on another messenger, and a rating would land on
whichever conversation asked last. So the merge keeps one and closes the others into it; an unmerge
that splits the two people again reopens the ones closed into the other person's conversation while
people still hold that one.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.database import utcnow
from core.errors import ConflictError
from core.models import Conversation, ConversationEvent, Customer, Message, StaffUser
from core.settings import Settings, pick_language
from handoff import agents, routing, sla
from handoff.config import HandoffConfig
from handoff.flows import assign, conversation_updated, dispatch, send_notices, tell_place_in_line
from handoff.state import HUMAN_STATUSES, SYSTEM, Outcome, transition

JOINED = "joined"  # the reason recorded on a conversation closed into another
UNJOINED = "unjoined"  # the reason recorded on a joined conversation reopened by an unmerge
# Joins recorded before they kept their running timers: the reopened conversation is owed a first
# response, as after a hand-off.
TIMERS_OF_OLD_JOINS = ("first_response",)
TIMER_DUE = {"first_response": sla.first_response_due, "next_response": sla.next_response_due}


@dataclass
class Unjoined:
    """What an unmerge did with the joins: the conversations reopened, and the joins left (with why)."""

    reopened: list[int] = field(default_factory=list)
    # {"conversation_id": id, "reason": why}: "joined_into_finished" when people no longer hold the
    # conversation it was joined into, "newer_conversation" when its customer has opened one since.
    not_reopened: list[dict[str, object]] = field(default_factory=list)


async def join_after_merge(session: AsyncSession, customer_id: int, *, outcome: Outcome) -> Conversation | None:
    """After staff merged two records: join the customer's held conversations around the one written in last.

    Texts for the shopper (an agent joining) are queued here, there being no inbound message to answer.
    Returns the conversation kept, or None when people hold none of the customer's conversations.
    """
    latest = await session.scalar(
        select(Conversation).where(Conversation.customer_id == customer_id, Conversation.status.in_(HUMAN_STATUSES))
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc()).limit(1))
    if latest is None:
        return None
    kept = await join_held_conversations(session, latest, outcome=outcome)
    await send_notices(session, kept, outcome)
    return kept


async def join_held_conversations(session: AsyncSession, current: Conversation, *, outcome: Outcome
                                  ) -> Conversation:
    """The conversation the shopper of ``current`` goes on in: one that people hold, the others closed into it.

    The one kept is the one a person is already talking in (assigned before queued), then the most
    urgent (priority), then the one waiting longest; it takes the highest priority of those closed
    and answers on ``current``'s messenger, where the shopper writes now. The others are resolved
    with reason ``joined`` (data ``{"into": id}``), without a rating question and with their timers
    stopped; their agents are free for the queue again. Every message stays on the customer's
    timeline, which is what the agent reads. Texts for the kept conversation (an agent joining it)
    go to ``outcome``.

    Returns:
        The conversation kept, or ``current`` when people hold none of the customer's conversations.
    """
    held = list((await session.scalars(
        select(Conversation).where(Conversation.customer_id == current.customer_id,
                                   Conversation.status.in_(HUMAN_STATUSES))
    )).all())
    if not held:
        return current
    held.sort(key=lambda c: (c.status != "assigned", -c.priority, c.waiting_since or utcnow(), c.id))
    kept, others = held[0], held[1:]
    kept.channel, kept.chat_id = current.channel, current.chat_id
    kept.priority = max(c.priority for c in held)
    await session.flush()
    for other in others:
        # What an unmerge needs to reopen it as it was: the timers still running (the rest of its state,
        # team, assignee, reason and waiting time, stays on the row).
        running = [kind for kind, column in sla.TIMER_COLUMNS.items() if getattr(other, column) is not None]
        await transition(session, other, "resolved", actor=SYSTEM, reason=JOINED,
                         data={"into": kept.id, "running": running},
                         changes={"resolved_at": utcnow(), "first_response_due_at": None,
                                  "next_response_due_at": None, "awaiting_csat": False})
        conversation_updated(outcome, other, JOINED)
        await dispatch(session, await agents.find_team(session, name=other.team), outcome=outcome, current=kept,
                       language=pick_language(kept.language))
    if others:
        conversation_updated(outcome, kept, JOINED)
    return kept


async def reopen_after_unmerge(session: AsyncSession, customer_ids: Sequence[int], *, config: HandoffConfig,
                               settings: Settings, outcome: Outcome) -> Unjoined:
    """After an unmerge: reopen the conversations of ``customer_ids`` that a join closed into the other's.

    A conversation is reopened when the join was the last thing that happened to it, the one it was
    joined into now belongs to another customer and people still hold that one (queued or assigned),
    and its customer has opened no conversation since. Otherwise the join stands: the shopper's
    request was answered (or handed back to the bot) in the conversation kept, or they have moved on
    to a newer one, and reopening would put a stale request back in the queue ahead of everyone, with
    its old waiting time, beside the shopper's current conversation.

    A conversation reopened goes back to its team's queue (re-routed when the team is gone) keeping
    the time it has waited, and back to the agent who had it when that agent is still active, online
    and has room (else the team's online agents take it as usual); its timers running at the join
    restart now. The messages its customer wrote or received in the other conversation since the join
    come back into it, so the thread the agent answers is whole again. The shopper hears their place
    in line or who joined. Returns the ids reopened and, for the joins
    left as they are, why.
    """
    later = aliased(ConversationEvent)
    latest = (select(func.max(later.id)).where(later.conversation_id == Conversation.id).correlate(Conversation)
              .scalar_subquery())
    joins = (await session.execute(
        select(Conversation, ConversationEvent)
        .join(ConversationEvent, ConversationEvent.conversation_id == Conversation.id)
        .where(Conversation.customer_id.in_(customer_ids), Conversation.status == "resolved",
               ConversationEvent.id == latest, ConversationEvent.kind == "resolved",
               ConversationEvent.reason == JOINED)
        .order_by(Conversation.id)
    )).all()
    unjoined = Unjoined()
    for conversation, joined in joins:
        into = await session.get(Conversation, (joined.data or {}).get("into"))
        if into is None or into.customer_id == conversation.customer_id:
            continue  # still one person's conversations: the join stands
        reason = await _why_not_reopened(session, conversation, into)
        if reason is not None:
            unjoined.not_reopened.append({"conversation_id": conversation.id, "reason": reason})
            continue
        await _reopen(session, conversation, joined, into, config=config, settings=settings, outcome=outcome)
        unjoined.reopened.append(conversation.id)
    return unjoined


async def _why_not_reopened(session: AsyncSession, conversation: Conversation, into: Conversation) -> str | None:
    if into.status not in HUMAN_STATUSES:
        return "joined_into_finished"
    newer = await session.scalar(select(func.count()).select_from(Conversation).where(
        Conversation.customer_id == conversation.customer_id, Conversation.id > conversation.id))
    return "newer_conversation" if newer else None


async def _reopen(session: AsyncSession, conversation: Conversation, joined: ConversationEvent, into: Conversation,
                  *, config: HandoffConfig, settings: Settings, outcome: Outcome) -> None:
    await session.execute(
        update(Message).where(Message.conversation_id == into.id, Message.customer_id == conversation.customer_id,
                              Message.created_at >= joined.created_at)
        .values(conversation_id=conversation.id).execution_options(synchronize_session=False))
    team = await agents.find_team(session, name=conversation.team)
    if team is None and conversation.team is not None:
        # Its team was deleted since: route it as a hand-off would, by its topic.
        customer = await session.get(Customer, conversation.customer_id)
        team = await routing.choose_team(session, topics=[conversation.topic] if conversation.topic else [],
                                         vip=routing.is_vip(customer, settings))
    now = utcnow()
    running = (joined.data or {}).get("running", TIMERS_OF_OLD_JOINS)
    timers = {column: TIMER_DUE[kind](team, now) for kind, column in sla.TIMER_COLUMNS.items() if kind in running}
    had_agent = joined.from_status == "assigned" and conversation.assignee_id is not None
    agent = await session.get(StaffUser, conversation.assignee_id) if had_agent else None
    await routing.enter_queues(session)
    await transition(session, conversation, "handoff", actor=SYSTEM, reason=UNJOINED,
                     data={"joined_into": into.id, "team": team.name if team else None,
                           "priority": conversation.priority, "status_at_join": joined.from_status},
                     changes={"team": team.name if team else None, "assignee_id": None, "resolved_at": None,
                              "awaiting_csat": False, "waiting_since": conversation.waiting_since or now,
                              "first_response_due_at": None, "next_response_due_at": None, **timers})
    conversation_updated(outcome, conversation, UNJOINED)
    own, language = Outcome(), pick_language(conversation.language)
    if agent is not None and agent.active and agent.status == "online" and agent.role in agents.ASSIGNABLE_ROLES:
        with suppress(ConflictError):  # at capacity now: the queue serves it like any other
            await assign(session, conversation, agent, actor=SYSTEM, language=language, outcome=own)
    if conversation.status != "assigned":
        await dispatch(session, team, current=conversation, language=language, outcome=own)
    if conversation.status != "assigned":
        await tell_place_in_line(session, conversation, team, now=now, config=config, language=language,
                                 outcome=own)
    await send_notices(session, conversation, own)
    outcome.events.extend(own.events)
