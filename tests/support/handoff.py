"""Building blocks for hand-off tests: teams, agents, shoppers' messages and a flow that records events."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.flow import InboundFlow
from bots.inbound import FlowContext, InboundMessage
from bots.steps import default_steps
from bots.steps.csat import csat
from bots.steps.handoff import handoff
from bots.steps.human_owned import human_owned
from core.accounts import get_or_create_team, hash_password, issue_token
from core.bus import MemoryEventBus
from core.models import Customer, Identity, StaffUser, Team
from handoff.config import HandoffConfig


async def make_team(factory: async_sessionmaker[AsyncSession], name: str, **values) -> int:
    """Create a team and return its id."""
    async with factory() as session, session.begin():
        team = Team(name=name, **values)
        session.add(team)
        await session.flush()
        return team.id


async def flow_with_support_and_vip_teams(settings, factory: async_sessionmaker[AsyncSession]) -> InboundFlow:
    """The whole bot flow, with a general "support" team and a VIP team "vip" to hand off to."""
    await make_team(factory, "support", skills=["general"])
    await make_team(factory, "vip", is_vip=True)
    return InboundFlow(settings=settings, session_factory=factory, bus=MemoryEventBus(), steps=default_steps())


PASSWORD = "password-123"


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # argon2 is slow on purpose; hash the shared test password once per run.
    return hash_password(PASSWORD)


async def make_agent(factory: async_sessionmaker[AsyncSession], email: str, *, team: str | None = None,
                     status: str = "offline", capacity: int = 5, role: str = "agent", name: str = "") -> int:
    """Create a staff member with the password :data:`PASSWORD` and return the id."""
    async with factory() as session, session.begin():
        team_id = (await get_or_create_team(session, name=team)).id if team else None
        user = StaffUser(email=email, password_hash=_password_hash(), role=role, name=name, team_id=team_id,
                         status=status, capacity=capacity)
        session.add(user)
        await session.flush()
        return user.id


async def token_for(factory: async_sessionmaker[AsyncSession], user_id: int) -> dict[str, str]:
    """An Authorization header with a fresh API token of the user (no login round trip)."""
    async with factory() as session, session.begin():
        issued = await issue_token(session, await session.get(StaffUser, user_id), kind="api", ttl=None)
    return {"Authorization": f"Bearer {issued.secret}"}


async def get_agent(factory: async_sessionmaker[AsyncSession], agent_id: int) -> StaffUser:
    """A staff member, loaded in a short session."""
    async with factory() as session:
        return await session.get(StaffUser, agent_id)


_counter = iter(range(1, 1_000_000))


def shopper(text: str = "", *, user: str = "1001", channel: str = "telegram", kind: str = "text",
            data: str | None = None, language: str | None = "en") -> InboundMessage:
    """One shopper update with a fresh dedup key; ``data`` makes it a button press."""
    payload = {"data": data} if data else {}
    return InboundMessage(channel=channel, user_id=user, chat_id=user, dedup_key=f"k{next(_counter)}",
                          kind="callback" if data else kind, text=text, payload=payload,
                          display_name="Oksana", language_hint=language)


def deciding(decision: dict | None, topics: list[str] | None = None):
    """A stand-in answer step that leaves ``decision`` and the message's ``topics`` on the context."""
    async def decide(ctx: FlowContext) -> None:
        ctx.decision = decision
        ctx.topics = list(topics or [])
    return decide


@dataclass
class FlowHarness:
    """An inbound flow with the hand-off steps, a memory bus and every published event."""

    flow: InboundFlow
    events: list[tuple[str, dict]] = field(default_factory=list)

    def topics(self) -> list[str]:
        """The topics published so far, in order."""
        return [topic for topic, _ in self.events]


def harness(settings, factory, *, decision: dict | None = None, topics: list[str] | None = None,
            config: HandoffConfig | None = None) -> FlowHarness:
    """A flow running [human_owned, csat, <decision and topics>, handoff] like the app does around the NLU."""
    bus = MemoryEventBus()
    result = FlowHarness(InboundFlow(settings=settings, session_factory=factory, bus=bus,
                                     steps=[human_owned, csat, deciding(decision, topics), handoff],
                                     services={"handoff_config": config or HandoffConfig(_env_file=None)}))

    async def record(topic: str, event: dict) -> None:
        result.events.append((topic, event))

    bus.subscribe("*", record)
    return result


async def queued_request_for_a_person(settings, factory) -> int:
    """The id of a new conversation queued because its shopper pressed **Talk to a person**."""
    return (await harness(settings, factory).flow.process(shopper("person", data="handoff:request"))).conversation_id


async def customer_on_viber_and_telegram(factory: async_sessionmaker[AsyncSession]) -> int:
    """Oksana, one customer linked on Viber (vb-1) and Telegram (1001), set up directly; returns her id."""
    async with factory() as session, session.begin():
        customer = Customer(name="Oksana")
        session.add(customer)
        await session.flush()
        session.add_all([Identity(customer_id=customer.id, channel="viber", external_id="vb-1"),
                         Identity(customer_id=customer.id, channel="telegram", external_id="1001")])
        return customer.id
