"""Hand-off orchestration: hand off, assign, dispatch, transfer, resolve, hand back, replies, ratings.

Each function works in the caller's transaction and collects what must happen after the commit
(bus events) and what the shopper must read (notices) in an :class:`Outcome`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import events
from core.database import utcnow
from core.errors import ConflictError, ValidationFailed
from core.models import Conversation, Customer, Message, StaffUser, Team
from core.outbox import queue_outgoing
from core.settings import Settings, pick_language
from handoff import agents, hours, routing, services, sla, texts
from handoff.config import HandoffConfig
from handoff.ratings import csat_buttons
from handoff.state import CUSTOMER, SYSTEM, Actor, Notice, Outcome, transition

MAX_REPLY_CHARS = 4096


def conversation_updated(outcome: Outcome, conversation: Conversation, change: str) -> None:
    """Tell the consoles (after commit) that ``conversation`` changed, and how."""
    outcome.publish(events.CONVERSATION_UPDATED, {**services.summarize(conversation),
                                                  "conversation_id": conversation.id, "change": change})


async def request_handoff(
    session: AsyncSession, conversation: Conversation, customer: Customer, *, reason: str,
    topics: Sequence[str], actor: Actor, config: HandoffConfig, settings: Settings, language: str, outcome: Outcome,
) -> None:
    """Queue the conversation for a person: route it, start the SLA, tell the shopper where they stand.

    ``topics`` are what the message is about (the matched article's tags); the conversation keeps the
    one it was routed by. Assigns it at once when its team works now and an online agent has room.
    """
    await routing.enter_queues(session)
    now = utcnow()
    vip = routing.is_vip(customer, settings)
    team = await routing.choose_team(session, topics=topics, vip=vip)
    topic = routing.routed_topic(team, topics)
    team_name, priority = (team.name if team else None), routing.base_priority(vip, config)
    await transition(
        session, conversation, "handoff", actor=actor, reason=reason,
        data={"team": team_name, "priority": priority, "vip": vip},
        changes={"team": team_name, "priority": priority, "handoff_reason": reason,
                 # An editor's tag can outgrow the column; the first 64 characters still name it.
                 "topic": topic[:64] if topic else conversation.topic, "waiting_since": now, "assignee_id": None,
                 "first_response_due_at": sla.first_response_due(team, now), "next_response_due_at": None,
                 "sla_breached": False, "awaiting_csat": False, "resolved_at": None, "low_confidence_streak": 0,
                 "language": language},
    )
    conversation_updated(outcome, conversation, "handoff")
    await dispatch(session, team, current=conversation, language=language, outcome=outcome)
    if conversation.status != "assigned":
        # Taken at once, the shopper hears only who joined: "you are number 1 in line, about 4 minutes"
        # followed in the same second by "Olena has joined" reads as a glitch.
        await tell_place_in_line(session, conversation, team, now=now, config=config, language=language,
                                 outcome=outcome)


async def tell_place_in_line(session: AsyncSession, conversation: Conversation, team: Team | None, *,
                             now: datetime, config: HandoffConfig, language: str, outcome: Outcome) -> None:
    """Tell the shopper of a queued conversation their place in ``team``'s line and the wait (or the opening)."""
    position = await routing.queue_position(session, conversation)
    opening = hours.next_opening(team, now)
    if opening is None:
        wait_s = await routing.wait_estimate_s(session, team, position, config)
        outcome.tell(Notice(texts.text("queued", language, position=position, minutes=math.ceil(wait_s / 60))))
    else:
        when = texts.describe_opening(*hours.local_opening(team, opening, now), language)
        outcome.tell(Notice(texts.text("closed", language, when=when, position=position)))


async def dispatch(session: AsyncSession, team: Team | None, *, outcome: Outcome,
                   current: Conversation | None = None, language: str = "uk") -> int:
    """Give queued conversations of ``team`` to its least busy online agents while they have room.

    The "has joined" notice of ``current`` (the conversation the caller is handling, in ``language``)
    goes to the caller's outcome, so it follows the caller's own texts; other conversations get theirs
    written to the outbox here. Returns how many were assigned; nothing happens outside business hours.
    """
    if not hours.is_open(team, utcnow()):
        return 0
    assigned = 0
    for conversation in await routing.next_in_line(session, team, limit=50):
        agent = await routing.pick_agent(session, team)
        if agent is None:
            break
        is_current = current is not None and conversation.id == current.id
        own = outcome if is_current else Outcome()
        try:
            await assign(session, conversation, agent, actor=SYSTEM, outcome=own,
                         language=language if is_current else pick_language(conversation.language))
        except ConflictError:
            continue  # taken by someone else meanwhile
        if not is_current:
            await send_notices(session, conversation, own)
            outcome.events.extend(own.events)
        assigned += 1
    return assigned


async def assign(session: AsyncSession, conversation: Conversation, agent: StaffUser, *, actor: Actor,
                 language: str, outcome: Outcome) -> None:
    """Give a queued conversation to ``agent``; of two simultaneous takes exactly one succeeds.

    Raises:
        ConflictError: not queued (already taken, resolved, with the bot) or the agent is at capacity.
    """
    if conversation.status == "assigned":
        owner = await session.get(StaffUser, conversation.assignee_id) if conversation.assignee_id else None
        raise ConflictError(f"conversation {conversation.id} is already taken by "
                            f"{agents.display_name(owner) if owner else 'another agent'}")
    await _ensure_capacity(session, agent)
    await transition(session, conversation, "assigned", actor=actor, data={"agent_id": agent.id},
                     changes={"assignee_id": agent.id})
    outcome.tell(Notice(texts.text("joined", language, agent=agents.display_name(agent))))
    conversation_updated(outcome, conversation, "assigned")


async def _ensure_capacity(session: AsyncSession, agent: StaffUser) -> None:
    # The agent's row is locked first (PostgreSQL; SQLite serialises writers anyway): two processes
    # assigning to one agent at once would otherwise both count the load before either commits.
    await session.execute(select(StaffUser.id).where(StaffUser.id == agent.id).with_for_update())
    load = (await agents.open_load(session, [agent.id]))[agent.id]
    if load >= agent.capacity:
        raise ConflictError(f"{agents.display_name(agent)} already has {load} open conversations "
                            f"(capacity {agent.capacity})")


async def _ensure_owner(session: AsyncSession, conversation: Conversation, actor: Actor, verb: str) -> None:
    """Only the assignee (or a supervisor) may act on an assigned conversation."""
    if conversation.status in ("bot", "resolved"):
        raise ConflictError(f"conversation {conversation.id} is {conversation.status}; "
                            f"there is nothing to {verb}")
    if conversation.status == "assigned" and conversation.assignee_id != actor.id and not actor.is_supervisor:
        owner = await session.get(StaffUser, conversation.assignee_id) if conversation.assignee_id else None
        raise ConflictError(f"conversation {conversation.id} belongs to "
                            f"{agents.display_name(owner) if owner else 'another agent'}; you cannot {verb} it")


async def transfer(session: AsyncSession, conversation: Conversation, *, actor: Actor, language: str,
                   outcome: Outcome, config: HandoffConfig, team_name: str | None = None,
                   agent: StaffUser | None = None) -> None:
    """Move the conversation to another team's queue or straight to another agent.

    To a queue, it keeps the time it has waited since the hand-off (its place among others who
    waited as long), and the shopper hears their new place in line unless someone takes it at once.
    To an agent, the shopper hears that they joined, or, when the agent is not online, that they will
    reply when back. On a move to another team (its queue or one of its agents) the running SLA
    timers restart under that team's SLA and hours (:func:`handoff.sla.restarted_timers`).
    """
    if (team_name is None) == (agent is None):
        raise ValidationFailed("give exactly one of team or agent_id", [{"field": "team", "error": "one of"}])
    await _ensure_owner(session, conversation, actor, "transfer")
    from_team, from_agent = conversation.team, conversation.assignee_id
    if agent is not None:
        await _ensure_capacity(session, agent)
        target_team = await session.get(Team, agent.team_id) if agent.team_id else None
        # An agent without a team answers for the conversation's team, so its timers stay as they are.
        changes = {"assignee_id": agent.id, "team": target_team.name if target_team else conversation.team}
        to_status = "assigned"
    else:
        target_team = await agents.get_team(session, name=team_name)
        await routing.enter_queues(session)
        changes = {"assignee_id": None, "team": target_team.name}
        to_status = "queued"
    if changes["team"] != from_team:
        changes.update(sla.restarted_timers(conversation, target_team, utcnow()))
    await transition(session, conversation, "transferred", actor=actor, to_status=to_status,
                     data={"from_team": from_team, "to_team": changes["team"], "from_agent": from_agent,
                           "to_agent": changes["assignee_id"]}, changes=changes)
    conversation_updated(outcome, conversation, "transferred")
    if agent is not None:
        # Allowed to an agent who is away or offline (a supervisor may want them to pick it up when back),
        # but then nobody answers now and the shopper must not read "has joined".
        key = "joined" if agent.status == "online" else "passed_to_absent"
        outcome.tell(Notice(texts.text(key, language, agent=agents.display_name(agent))))
    else:
        await dispatch(session, target_team, current=conversation, language=language, outcome=outcome)
        if conversation.status != "assigned":
            await tell_place_in_line(session, conversation, target_team, now=utcnow(), config=config,
                                     language=language, outcome=outcome)


async def resolve(session: AsyncSession, conversation: Conversation, *, actor: Actor, language: str,
                  outcome: Outcome) -> None:
    """Close the conversation and ask the shopper for a 1–5 rating with buttons."""
    await _ensure_owner(session, conversation, actor, "resolve")
    team = await agents.find_team(session, name=conversation.team)
    await transition(session, conversation, "resolved", actor=actor,
                     changes={"resolved_at": utcnow(), "first_response_due_at": None,
                              "next_response_due_at": None})
    await transition(session, conversation, "csat_requested", actor=SYSTEM, changes={"awaiting_csat": True})
    outcome.tell(Notice(texts.text("csat_question", language), buttons=csat_buttons(), author="bot"))
    conversation_updated(outcome, conversation, "resolved")
    await dispatch(session, team, outcome=outcome)


async def hand_back(session: AsyncSession, conversation: Conversation, *, actor: Actor, language: str,
                    outcome: Outcome) -> None:
    """Return the conversation to the bot."""
    await _ensure_owner(session, conversation, actor, "hand back")
    team = await agents.find_team(session, name=conversation.team)
    await transition(session, conversation, "handback", actor=actor,
                     changes={"assignee_id": None, "priority": 0, "waiting_since": None,
                              "first_response_due_at": None, "next_response_due_at": None})
    outcome.tell(Notice(texts.text("handback", language), author="bot"))
    conversation_updated(outcome, conversation, "handback")
    await dispatch(session, team, outcome=outcome)


async def agent_reply(session: AsyncSession, conversation: Conversation, *, agent: StaffUser, text: str,
                      outcome: Outcome) -> Message:
    """Queue the agent's reply on the channel the customer last wrote from; stops the response timers.

    Raises:
        ConflictError: the conversation is resolved, with the bot, waiting in the queue or someone else's.
        ValidationFailed: empty or oversized text.
    """
    text = text.strip()
    if not text or len(text) > MAX_REPLY_CHARS:
        raise ValidationFailed(f"a reply needs 1 to {MAX_REPLY_CHARS} characters",
                               [{"field": "text", "error": "empty or too long"}])
    # Read afresh under a row lock: a supervisor's resolve or transfer in another process may have
    # committed since the request loaded it, and a reply then must be refused, not sent.
    await session.flush()  # pending changes first, so the refresh does not discard them
    await session.refresh(conversation, with_for_update=True)
    if conversation.status == "queued":
        raise ConflictError(f"conversation {conversation.id} is waiting in the queue; assign it to yourself first")
    await _ensure_owner(session, conversation, Actor("staff", agent.id, role="agent"), "reply to")
    message = await queue_outgoing(session, conversation, payload={"text": text, "keyboard": None, "buttons": []},
                                   author="agent", author_id=agent.id, meta={"agent_name": agents.display_name(agent)})
    conversation.first_response_due_at = None
    conversation.next_response_due_at = None
    await session.flush()
    queued_message_events(outcome, conversation, message)
    conversation_updated(outcome, conversation, "agent_reply")
    return message


def queued_message_events(outcome: Outcome, conversation: Conversation, message: Message) -> None:
    """Announce a queued outgoing message to the console and wake the delivery worker."""
    outcome.publish(events.MESSAGE_CREATED, {"conversation_id": conversation.id, "message_id": message.id,
                                             "direction": "out", "author": message.author,
                                             "status": conversation.status})
    outcome.publish(events.OUTBOX_READY, {"channel": conversation.channel, "chat_id": conversation.chat_id})


async def send_notices(session: AsyncSession, conversation: Conversation, outcome: Outcome) -> None:
    """Write the outcome's notices to the outbox (for callers outside the inbound flow)."""
    for notice in outcome.notices:
        payload = {"text": notice.text, "keyboard": "inline" if notice.buttons else None,
                   "buttons": [[{"text": label, "data": data} for label, data in row] for row in notice.buttons]}
        message = await queue_outgoing(session, conversation, payload=payload, author=notice.author)
        queued_message_events(outcome, conversation, message)
    outcome.notices.clear()


async def customer_wrote(session: AsyncSession, conversation: Conversation, *, now: datetime,
                         outcome: Outcome) -> None:
    """A shopper message while people own the conversation: start the next-response timer, tell the console."""
    if conversation.status == "assigned" and conversation.first_response_due_at is None \
            and conversation.next_response_due_at is None:
        team = await agents.find_team(session, name=conversation.team)
        conversation.next_response_due_at = sla.next_response_due(team, now)
        await session.flush()
    conversation_updated(outcome, conversation, "customer_message")


async def record_csat(session: AsyncSession, conversation: Conversation, *, score: int, language: str,
                      outcome: Outcome) -> None:
    """Store the shopper's rating on the resolved conversation and thank them."""
    await transition(session, conversation, "csat_rated", actor=CUSTOMER, data={"score": score},
                     changes={"csat_score": score, "awaiting_csat": False})
    outcome.tell(Notice(texts.text("csat_thanks", language), author="bot"))
    conversation_updated(outcome, conversation, "csat_rated")
