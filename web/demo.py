"""Seeds the demo store into an empty database: staff accounts, teams and (from the other packages)
the knowledge base and demo customers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.accounts import create_user, get_or_create_team
from core.customers.demo import seed_demo_customers
from core.models import StaffUser
from knowledge_base.demo import seed_demo_articles


@dataclass(frozen=True)
class DemoLogin:
    """A demo account to print for the person starting the demo (``name`` and ``team`` are its staff record's)."""

    role: str
    email: str
    password: str
    name: str = ""
    team: str | None = None


# Team skills are knowledge-base article tags (a message's topics are its article's tags), so a
# returns or warranty question someone hands off reaches the returns desk, the rest general support.
DEMO_TEAMS = (
    ("support", ["general"], False),
    ("returns", ["returns", "warranty"], False),
    ("vip", [], True),
)
DEMO_LOGINS = (
    DemoLogin("admin", "admin@demo.relaydesk", "demo-admin-1", "Admin"),
    # The supervisor serves the VIP team, so a VIP hand-off in the demo is taken by a person.
    DemoLogin("supervisor", "supervisor@demo.relaydesk", "demo-supervisor-1", "Taras", "vip"),
    DemoLogin("agent", "olena@demo.relaydesk", "demo-agent-1", "Olena", "support"),
    DemoLogin("agent", "andrii@demo.relaydesk", "demo-agent-2", "Andrii", "returns"),
    DemoLogin("editor", "editor@demo.relaydesk", "demo-editor-1", "Iryna"),
)

# Other packages' demo data (knowledge base, customers) register seeders here via web/app wiring.
Seeder = Callable[[AsyncSession], Awaitable[None]]
SEEDERS: list[Seeder] = [seed_demo_articles, seed_demo_customers]


async def seed_demo(factory: async_sessionmaker[AsyncSession]) -> list[DemoLogin] | None:
    """Seed the demo store when the database holds no staff yet.

    Returns:
        The demo logins, or None when the database was not empty and nothing was seeded.
    """
    try:
        async with factory() as session, session.begin():
            if await session.scalar(select(func.count(StaffUser.id))):
                return None
            for name, skills, vip in DEMO_TEAMS:
                team = await get_or_create_team(session, name=name)
                team.skills, team.is_vip = skills, vip
            for login in DEMO_LOGINS:
                await create_user(session, email=login.email, password=login.password, role=login.role,
                                  name=login.name, team=login.team)
            for seeder in SEEDERS:
                await seeder(session)
    except IntegrityError:
        # Another process started with --demo at the same moment and seeded first: nothing of ours
        # was kept, and the database now holds the demo store.
        return None
    return list(DEMO_LOGINS)
