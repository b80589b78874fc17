"""Generates a realistic mix of conversations for the analytics benchmark (bulk inserts, seeded RNG).

Per conversation: 70 % stay with the bot (some with a follow-up, some asking again unanswered, some
fallbacks), 30 % are handed off (reason, assignment, agent replies, most resolved, some SLA
breaches); 40 % of the handed-off and 10 % of the others are rated.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.accounts import hash_password
from core.database import utcnow
from core.models import Conversation, ConversationEvent, Customer, Message, StaffUser

CHUNK = 5_000
AGENTS = 20
CHANNELS = ("telegram",) * 5 + ("viber",) * 3 + ("webchat",) * 2
LANGUAGES = ("uk",) * 5 + ("ru",) * 3 + ("en",) * 2
TEAMS = ("support", "support", "returns", "vip")
REASONS = ("explicit_request", "low_confidence", "frustration", "sensitive_topic", "vip")
QUESTIONS = [f"question number {n}" for n in range(60)]


async def generate(factory: async_sessionmaker[AsyncSession], *, conversations: int, days: int,
                   seed: int = 42) -> dict[str, int]:
    """Insert ``conversations`` conversations spread over the last ``days`` days; returns row counts."""
    rng = random.Random(seed)
    now = utcnow()
    totals = {"conversations": 0, "messages": 0, "events": 0}
    async with factory() as session, session.begin():
        password = hash_password("benchmark-password")
        session.add(StaffUser(id=1, email="supervisor@bench.test", name="Supervisor", role="supervisor",
                              password_hash=password))
        session.add_all([StaffUser(id=1 + n, email=f"agent{n}@bench.test", name=f"Agent {n}", role="agent",
                                   password_hash=password) for n in range(1, AGENTS + 1)])
    next_id = 1
    while next_id <= conversations:
        batch = range(next_id, min(next_id + CHUNK, conversations + 1))
        customers, rows, messages, events = [], [], [], []
        for cid in batch:
            created = now - timedelta(seconds=rng.uniform(0, days * 86400))
            customers.append({"id": cid, "name": f"Shopper {cid}", "created_at": created})
            conversation, its_messages, its_events = _conversation(rng, cid, created)
            rows.append(conversation)
            messages.extend(its_messages)
            events.extend(its_events)
        async with factory() as session, session.begin():
            await session.execute(insert(Customer), customers)
            await session.execute(insert(Conversation), rows)
            await session.execute(insert(Message), messages)
            if events:
                await session.execute(insert(ConversationEvent), events)
        totals["conversations"] += len(rows)
        totals["messages"] += len(messages)
        totals["events"] += len(events)
        next_id = batch.stop
    return totals


def _conversation(rng: random.Random, cid: int, t) -> tuple[dict, list[dict], list[dict]]:
    channel, language = rng.choice(CHANNELS), rng.choice(LANGUAGES)
    messages, events = [], []

    def message(at, direction, author, text, payload=None, author_id=None):
        messages.append({"conversation_id": cid, "customer_id": cid, "direction": direction, "author": author,
                         "author_id": author_id, "channel": channel, "chat_id": str(cid), "kind": "text",
                         "text": text, "payload": payload or {}, "delivery_status": "sent", "created_at": at})

    def event(at, kind, reason=None, actor_id=None, data=None):
        events.append({"conversation_id": cid, "kind": kind, "reason": reason, "data": data or {},
                       "actor_type": "staff" if actor_id else "system", "actor_id": actor_id, "created_at": at})

    second = timedelta(seconds=1)
    question = rng.choice(QUESTIONS)
    message(t, "in", "customer", question)
    conversation = {"id": cid, "customer_id": cid, "channel": channel, "chat_id": str(cid), "language": language,
                    "status": "bot", "created_at": t, "updated_at": t}
    if rng.random() < 0.7:
        fallback = rng.random() < 0.15
        decision = {"action": "fallback" if fallback else "answer", "confidence": 0.2 if fallback else 0.9}
        message(t + second, "out", "bot", "answer", {"decision": decision})
        if rng.random() < 0.4:
            later = t + timedelta(minutes=rng.uniform(1, 10))
            message(later, "in", "customer", rng.choice(QUESTIONS))
            if rng.random() < 0.75:
                message(later + second, "out", "bot", "answer", {"decision": {"action": "answer"}})
        if rng.random() < 0.1:
            conversation["csat_score"] = rng.randint(3, 5)
        return conversation, messages, events
    agent = rng.randint(2, AGENTS + 1)
    handoff = t + second / 2
    event(handoff, "handoff", reason=rng.choice(REASONS), data={"team": "support"})
    conversation.update(status="assigned", team=rng.choice(TEAMS), assignee_id=agent,
                        handoff_reason=events[-1]["reason"])
    event(handoff + timedelta(seconds=rng.uniform(5, 60)), "assigned", actor_id=agent)
    if rng.random() < 0.15:
        event(handoff + timedelta(minutes=5), "sla_breach", data={"kind": "first_response"})
    if rng.random() < 0.9:
        replied = handoff + timedelta(seconds=rng.uniform(30, 900))
        message(replied, "out", "agent", "Hello, how can I help?", author_id=agent)
        message(replied + timedelta(minutes=1), "in", "customer", "thanks")
        message(replied + timedelta(minutes=2), "out", "agent", "Done", author_id=agent)
        if rng.random() < 0.8:
            resolved = replied + timedelta(minutes=rng.uniform(3, 120))
            event(resolved, "resolved", actor_id=agent)
            conversation.update(status="resolved", resolved_at=resolved)
            if rng.random() < 0.5:
                score = rng.randint(1, 5)
                event(resolved + timedelta(minutes=1), "csat_rated", data={"score": score})
                conversation["csat_score"] = score
    return conversation, messages, events
