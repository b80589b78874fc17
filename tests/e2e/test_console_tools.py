"""The console's tools in a browser: take, private notes, canned responses, transfer, shopper HTML shown
as text, and the supervisor's live SLA alert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Page, async_playwright, expect
from sqlalchemy import update

from core.database import utcnow
from core.models import Conversation
from tests.conftest import make_settings
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, sign_in_console
from tests.support.handoff import PASSWORD, harness, make_agent, make_team, shopper
from tests.support.live_server import LiveServer

SCRIPTED = "<img src=x onerror=\"document.title='hacked'\">"


async def _sign_in(page: Page, base: str, email: str) -> None:
    await sign_in_console(page, base, email, PASSWORD)


@pytest.mark.browser
async def test_agent_tools_and_supervisor_alerts(backend, settings, session_factory, monkeypatch) -> None:
    monkeypatch.setenv("RELAYDESK_SLA_CHECK_INTERVAL_S", "0.2")
    await make_team(session_factory, "support", skills=["general"])
    await make_team(session_factory, "billing", skills=["payment"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena")
    await make_agent(session_factory, "taras@shop.ua", role="supervisor", name="Taras")
    flow = harness(settings, session_factory)
    conversation_id = (await flow.flow.process(shopper("person", data="handoff:request"))).conversation_id
    await flow.flow.process(shopper(SCRIPTED))
    server_settings = make_settings(backend, run_workers=True, redis_prefix=settings.redis_prefix)
    with LiveServer(server_settings) as server:
        base = server.url
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            agent = await (await browser.new_context()).new_page()
            await _sign_in(agent, base, "olena@shop.ua")
            await agent.locator("#queue-list li").first.click()
            await expect(agent.locator("#timeline")).to_contain_text(SCRIPTED)  # shown as text, not run
            assert await agent.locator("#timeline img").count() == 0
            assert await agent.title() != "hacked"
            await agent.click("#take")
            await expect(agent.locator("#mine-list li")).to_have_count(1)

            await agent.fill("#note-text", "Wants a refund <b>today</b>")
            await agent.click("#add-note")
            await expect(agent.locator("#notes")).to_contain_text("Wants a refund <b>today</b>")
            await expect(agent.locator("#timeline")).not_to_contain_text("Wants a refund")

            await agent.select_option("#canned", label="Greeting")
            await expect(agent.locator("#reply-text")).to_have_value("Hello! My name is Olena, I will help you.")

            supervisor = await (await browser.new_context()).new_page()
            await _sign_in(supervisor, base, "taras@shop.ua")
            await expect(supervisor.locator("#assigned-list li")).to_have_count(1)
            async with session_factory() as session, session.begin():
                await session.execute(update(Conversation).where(Conversation.id == conversation_id)
                                      .values(next_response_due_at=utcnow() - timedelta(seconds=1)))
            await expect(supervisor.locator("[data-testid=sla-alert]")).to_contain_text(
                f"SLA breached (next response) in conversation #{conversation_id}")
            await expect(agent.locator("[data-testid=sla-alert]")).to_have_count(1)  # Olena owns it

            await agent.select_option("#transfer-target", label="team billing")
            await agent.click("#transfer")
            await expect(agent.locator("#mine-list li")).to_have_count(0)
            await expect(agent.locator("#queue-list li")).to_have_count(1)
            await expect(agent.locator("[data-testid=event-transferred]")).to_contain_text("to team billing")
            await browser.close()
