"""Two processes started with ``serve --demo`` on one empty database at the same moment: one seeds, the
other finds the demo store there and serves (found by the multi-process QA pass: the second crashed on
``duplicate key value violates unique constraint "uq_teams_name"``)."""

import asyncio

from sqlalchemy import func, select

from core.models import StaffUser
from web.demo import DEMO_LOGINS, seed_demo


async def test_two_demo_starts_at_once_seed_once_and_neither_fails(session_factory, other_process) -> None:
    results = await asyncio.gather(seed_demo(session_factory), seed_demo(other_process))
    assert sorted(result is None for result in results) == [False, True]
    async with session_factory() as session:
        assert await session.scalar(select(func.count(StaffUser.id))) == len(DEMO_LOGINS)
