"""Business hours with a UTC offset are refused where they are set, and stored ones do not break hand-offs."""

import pytest
from sqlalchemy import select

from core.models import Conversation
from handoff.hours import DAY_KEYS
from tests.support.cli import run_cli
from tests.support.handoff import harness, make_agent, make_team, shopper, token_for

OFFSET_HOURS = {"mon": ["00:00+03:00", "23:59+03:00"]}


async def test_api_refuses_hours_with_an_offset(client, session_factory) -> None:
    boss = await token_for(session_factory, await make_agent(session_factory, "boss@shop.ua", role="supervisor"))
    response = await client.put("/api/teams/gen", headers=boss,
                                json={"skills": ["general"], "business_hours": OFFSET_HOURS})
    assert response.status_code == 400
    [problem] = response.json()["extra"]
    assert problem["field"] == "business_hours.mon" and "UTC offset" in problem["error"]


@pytest.mark.parametrize(("hours", "expected"), [
    pytest.param('{"mon":["09:00+03:00","18:00+03:00"]}', "business_hours.mon: times without a UTC offset",
                 id="offset"),
    pytest.param("[1,2]", "business_hours: an object of day", id="list"),
    pytest.param('"x"', "business_hours: an object of day", id="string"),
    pytest.param('{"mon":["09:00"]}', "business_hours.mon: a pair of HH:MM times", id="one-time"),
])
def test_cli_refuses_bad_hours_in_one_line(settings, hours, expected) -> None:
    result = run_cli("teams", "set", "gen", "--hours", hours, env={"RELAYDESK_DATABASE_URL": settings.database_url})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"relaydesk: {expected}"), result.stderr


async def test_a_team_with_stored_offset_hours_still_takes_hand_offs(settings, session_factory) -> None:
    # Every day, so the stored window is compared whatever day the test runs on.
    every_day = {day: ["00:00+03:00", "23:59+03:00"] for day in DAY_KEYS}
    await make_team(session_factory, "gen", skills=["general"], business_hours=every_day)
    flow = harness(settings, session_factory)
    result = await flow.flow.process(shopper("person", data="handoff:request"))
    async with session_factory() as session:
        conversation = await session.scalar(select(Conversation).where(Conversation.id == result.conversation_id))
    assert conversation.status == "queued"
