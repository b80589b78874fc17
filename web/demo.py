"""Seeds the demo store into an empty database: staff accounts, teams and (from the other packages)
the knowledge base and demo customers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.accounts import create_user, get_or_create_team
from core.customers.demo import seed_demo_customers
from core.models import StaffUser
from knowledge_base.demo import seed_demo_articles


@dataclass(frozen=True)
class DemoLogin:
    """A demo account to print for the person starting the demo."""

    role: str
    email: str
    password: str


DEMO_LOGINS = (
    DemoLogin("admin", "admin@demo.relaydesk", "demo-admin-1"),
    DemoLogin("supervisor", "supervisor@demo.relaydesk", "demo-supervisor-1"),
    DemoLogin("agent", "olena@demo.relaydesk", "demo-agent-1"),
    DemoLogin("editor", "editor@demo.relaydesk", "demo-editor-1"),
)
DEMO_NAMES = {"admin": "Admin", "supervisor": "Taras", "agent": "Olena", "editor": "Iryna"}

# Other packages' demo data (knowledge base, customers) register seeders here via web/app wiring.
Seeder = Callable[[AsyncSession], Awaitable[None]]
SEEDERS: list[Seeder] = [seed_demo_articles, seed_demo_customers]


async def seed_demo(factory: async_sessionmaker[AsyncSession]) -> list[DemoLogin] | None:
    """Seed the demo store when the database holds no staff yet.

    Returns:
        The demo logins, or None when the database was not empty and nothing was seeded.
    """
    async with factory() as session, session.begin():
        if await session.scalar(select(func.count(StaffUser.id))):
            return None
        for name, skills, vip in (("support", ["general"], False), ("vip", [], True)):
            team = await get_or_create_team(session, name=name)
            team.skills, team.is_vip = skills, vip
        for login in DEMO_LOGINS:
            await create_user(session, email=login.email, password=login.password, role=login.role,
                              name=DEMO_NAMES[login.role], team="support" if login.role == "agent" else None)
        for seeder in SEEDERS:
            await seeder(session)
    return list(DEMO_LOGINS)
