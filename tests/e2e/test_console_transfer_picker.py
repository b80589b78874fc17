"""The console's transfer picker shows each agent's status as it is now, the shopper hears the truth about
an agent who is not online, and admins (who take no conversations) are neither listed nor offered."""

from __future__ import annotations

import pytest
from playwright.async_api import expect
from sqlalchemy import update

from core.models import StaffUser
from tests.conftest import make_settings
from tests.support.browser import launched_chromium, sign_in_console
from tests.support.handoff import PASSWORD, make_agent, make_team, queued_request_for_a_person
from tests.support.live_server import LiveServer


async def _set_status(factory, agent_id: int, status: str) -> None:
    # Straight in the database: no console hears of it, as when the agent changes it in their own tab.
    async with factory() as session, session.begin():
        await session.execute(update(StaffUser).where(StaffUser.id == agent_id).values(status=status))


@pytest.mark.browser
async def test_a_transfer_to_an_agent_who_went_offline_says_so_to_both(backend, settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    petro = await make_agent(session_factory, "petro@shop.ua", team="support", name="Petro")
    await make_agent(session_factory, "taras@shop.ua", role="supervisor", name="Taras")
    await make_agent(session_factory, "admin@shop.ua", role="admin", name="Admin")
    handed = await queued_request_for_a_person(settings, session_factory)
    await _set_status(session_factory, petro, "online")
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            taras = await browser.new_page()
            await sign_in_console(taras, server.url, "taras@shop.ua", PASSWORD)
            await expect(taras.locator("#agent-list li")).to_have_count(2)  # Petro and Taras, not the admin
            await _set_status(session_factory, petro, "offline")
            await taras.locator(f"#queue-list li[data-id='{handed}']").click()
            picker = taras.locator("#transfer-target option")
            await expect(picker).to_have_text(["Transfer to…", "team support", "Petro (offline)"])
            await taras.select_option("#transfer-target", label="Petro (offline)")
            await taras.click("#transfer")
            await expect(taras.locator("[data-testid=event-transferred]")).to_contain_text("to Petro")
            last = taras.locator("[data-testid=message]").last
            await expect(last).to_contain_text("Your conversation was passed to Petro, who will reply when back online")
            await expect(taras.locator("#timeline")).not_to_contain_text("Petro has joined")


@pytest.mark.browser
async def test_an_admin_sees_no_status_and_no_take_but_may_transfer(backend, settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena")
    await make_agent(session_factory, "admin@shop.ua", role="admin", name="Admin")
    handed = await queued_request_for_a_person(settings, session_factory)
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            page = await browser.new_page()
            await sign_in_console(page, server.url, "admin@shop.ua", PASSWORD)
            await expect(page.locator("#my-status")).to_be_hidden()
            await expect(page.locator("#agent-list li")).to_have_text(["Olena onlineawayoffline"])
            await page.locator(f"#queue-list li[data-id='{handed}']").click()
            await expect(page.locator("#conversation-title")).to_contain_text("queued")
            await expect(page.locator("#take")).to_be_hidden()
            await expect(page.locator("#transfer")).to_be_visible()
