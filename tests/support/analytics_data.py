"""A known set of conversations, written straight into the database in the shape the flow and the
hand-off engine produce, with every analytics figure it must give (see README ``## Analytics``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.database import utcnow
from core.models import Conversation, ConversationEvent, Customer, Message
from tests.support.staff import add_staff

FALLBACK = {"decision": {"action": "fallback", "reason": "low_confidence", "confidence": 0.1}}
ANSWER = {"decision": {"action": "answer", "article_id": "delivery", "confidence": 0.9}}


@dataclass
class Timeline:
    """Writes one conversation's messages and events at given times."""

    session: AsyncSession
    conversation: Conversation

    def customer(self, at: datetime, text: str) -> Timeline:
        return self._message(at, "in", "customer", text)

    def bot(self, at: datetime, text: str = "Answer", payload: dict | None = None) -> Timeline:
        return self._message(at, "out", "bot", text, payload=payload or ANSWER)

    def agent(self, at: datetime, agent_id: int, text: str = "Hello, I am here") -> Timeline:
        return self._message(at, "out", "agent", text, author_id=agent_id)

    def event(self, at: datetime, kind: str, *, reason: str | None = None, actor_id: int | None = None,
              data: dict | None = None) -> Timeline:
        self.session.add(ConversationEvent(
            conversation_id=self.conversation.id, kind=kind, reason=reason, data=data or {}, created_at=at,
            actor_type="staff" if actor_id else "system", actor_id=actor_id))
        return self

    def _message(self, at, direction, author, text, *, payload=None, author_id=None) -> Timeline:
        c = self.conversation
        self.session.add(Message(
            conversation_id=c.id, customer_id=c.customer_id, direction=direction, author=author,
            author_id=author_id, channel=c.channel, chat_id="chat", text=text, payload=payload or {},
            delivery_status="received" if direction == "in" else "sent", created_at=at))
        return self


async def start_conversation(session: AsyncSession, at: datetime, *, channel: str, language: str,
                             team: str | None = None, status: str = "bot", assignee_id: int | None = None,
                             csat_score: int | None = None) -> Timeline:
    """A new customer with one conversation created at ``at``."""
    customer = Customer(name="Shopper", created_at=at)
    session.add(customer)
    await session.flush()
    conversation = Conversation(customer_id=customer.id, channel=channel, language=language, team=team,
                                status=status, assignee_id=assignee_id, csat_score=csat_score, created_at=at,
                                updated_at=at)
    session.add(conversation)
    await session.flush()
    return Timeline(session, conversation)


@dataclass(frozen=True)
class KnownSet:
    """What :func:`seed_known_set` wrote: the period that covers it and the two agents."""

    first_day: datetime
    today: datetime
    agent_a: int
    agent_b: int

    @property
    def params(self) -> dict[str, str]:
        return {"from": self.first_day.date().isoformat(), "to": self.today.date().isoformat()}


async def seed_known_set(factory: async_sessionmaker[AsyncSession]) -> KnownSet:
    """Eight conversations in the period (and one before it); expected figures in ``EXPECTED``."""
    now = utcnow()
    today = datetime.combine(now.date(), time(), UTC)
    day0 = today - timedelta(days=5)
    day1 = day0 + timedelta(days=1)
    s = timedelta(seconds=1)
    async with factory() as session, session.begin():
        olena = (await add_staff(session, email="olena@shop.ua", password="agent-password", role="agent",
                                 name="Olena")).id
        petro = (await add_staff(session, email="petro@shop.ua", password="agent-password", role="agent",
                                 name="Petro")).id
        # 1. bot only, settled: one question, one answer, rated 4 (csat_score only).
        c1 = await start_conversation(session, day0 + timedelta(hours=10), channel="telegram", language="uk",
                                      csat_score=4)
        c1.customer(day0 + timedelta(hours=10), "Коли доставка?").bot(day0 + timedelta(hours=10) + s)
        # 2. bot only, settled: a follow-up question the bot answered too.
        t = day0 + timedelta(hours=11)
        c2 = await start_conversation(session, t, channel="viber", language="en")
        c2.customer(t, "Do you ship abroad?").bot(t + s).customer(t + timedelta(minutes=5), "To Poland?")
        c2.bot(t + timedelta(minutes=5) + s)
        # 3. bot only, asked again 3 hours after a fallback and got no answer: not resolved.
        t = day1 + timedelta(hours=9)
        c3 = await start_conversation(session, t, channel="telegram", language="uk")
        c3.customer(t, "Where is my parcel?").bot(t + s, "Sorry, I do not know", FALLBACK)
        c3.customer(t + timedelta(hours=3), "Hello??")
        # 4. bot only, answered a minute ago: the 24-hour window is still open.
        t = now - timedelta(seconds=60)
        c4 = await start_conversation(session, t, channel="webchat", language="en")
        c4.customer(t, "where is   MY parcel?").bot(t + s, "Sorry", FALLBACK)
        # 5. handed off on request, Olena answers in 120 s, resolves after 1800 s, rated 5.
        t = day0 + timedelta(hours=12)
        c5 = await start_conversation(session, t, channel="telegram", language="uk", team="support",
                                      status="resolved", assignee_id=olena, csat_score=5)
        c5.customer(t, "I want a human").event(t + s / 2, "handoff", reason="explicit_request")
        c5.event(t + timedelta(seconds=30), "assigned", actor_id=olena).agent(t + timedelta(seconds=120), olena)
        c5.event(t + s / 2 + timedelta(seconds=1800), "resolved", actor_id=olena)
        c5.event(t + timedelta(seconds=1900), "csat_rated", data={"score": 5})
        # 6. handed off for low confidence, SLA breached, Petro answers in 600 s, resolves after 3600 s,
        #    rated 2 by the csat_rated event only.
        t = day1 + timedelta(hours=10)
        c6 = await start_conversation(session, t, channel="viber", language="ru", team="support",
                                      status="resolved", assignee_id=petro)
        c6.customer(t, "Сколько стоит доставка в Польшу?")
        c6.bot(t + s / 4, "Connecting you", {"decision": {"action": "handoff", "reason": "low_confidence"}})
        c6.event(t + s / 2, "handoff", reason="low_confidence")
        c6.event(t + timedelta(minutes=5), "sla_breach", data={"kind": "first_response"})
        c6.agent(t + timedelta(seconds=600), petro).event(t + s / 2 + timedelta(seconds=3600), "resolved",
                                                         actor_id=petro)
        c6.event(t + timedelta(seconds=3700), "csat_rated", data={"score": 2})
        # 7. VIP hand-off nobody answered: two SLA breaches, no response or resolution time.
        t = day1 + timedelta(hours=13)
        c7 = await start_conversation(session, t, channel="webchat", language="en", team="vip", status="queued")
        c7.customer(t, "My order is wrong").event(t + s / 2, "handoff", reason="vip")
        c7.event(t + timedelta(minutes=5), "sla_breach", data={"kind": "first_response"})
        c7.event(t + timedelta(minutes=15), "sla_breach", data={"kind": "next_response"})
        # 8. two messages before the hand-off: the clock starts at the second; Olena replies twice.
        t = day0 + timedelta(hours=15)
        c8 = await start_conversation(session, t, channel="telegram", language="uk", team="support",
                                      status="assigned", assignee_id=olena)
        c8.customer(t, "Hi").bot(t + s).customer(t + timedelta(minutes=10), "operator please")
        c8.event(t + timedelta(minutes=10) + s / 2, "handoff", reason="explicit_request")
        c8.agent(t + timedelta(minutes=15), olena).agent(t + timedelta(minutes=16), olena)
        # 9. before the period: counted nowhere.
        t = day0 - timedelta(days=3)
        c9 = await start_conversation(session, t, channel="telegram", language="uk", csat_score=1)
        c9.customer(t, "old").event(t + s, "handoff", reason="explicit_request")
    return KnownSet(first_day=day0, today=today, agent_a=olena, agent_b=petro)


# The figures of the known set for its whole period (agents keyed by name).
EXPECTED = {
    "conversations": 8,
    "bot_resolved": 2,
    "deflection_rate": 0.25,
    "handoffs": 4,
    "handoff_rate": 0.5,
    "handoff_reasons": {"explicit_request": 2, "low_confidence": 1, "vip": 1},
    "first_response_p50_s": 300.0,
    "first_response_p90_s": 600.0,
    "first_responses": 3,
    "resolution_p50_s": 1800.0,
    "resolution_p90_s": 3600.0,
    "resolutions": 2,
    "csat_avg": 3.67,
    "csat_count": 3,
    "csat_distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1},
    "sla_breaches": 3,
    "unanswered_topics": [{"text": "Where is my parcel?", "count": 2},
                          {"text": "Сколько стоит доставка в Польшу?", "count": 1}],
}
EXPECTED_AGENTS = {
    "Olena": {"conversations": 2, "replies": 3, "resolved": 1, "first_response_p50_s": 120.0, "csat_avg": 5.0,
              "csat_count": 1},
    "Petro": {"conversations": 1, "replies": 1, "resolved": 1, "first_response_p50_s": 600.0, "csat_avg": 2.0,
              "csat_count": 1},
}
# Per day: (conversations, bot_resolved, handoffs, sla_breaches, csat_count, csat_avg); other days are empty.
EXPECTED_DAYS = {0: (4, 2, 2, 0, 2, 4.5), 1: (3, 0, 2, 3, 1, 2.0), 5: (1, 0, 0, 0, 0, None)}
