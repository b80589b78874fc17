"""Statuses are live in open consoles (found by QA): the supervisor's Agents panel follows an agent going
online, and an agent's own Status box follows a supervisor setting them away, with no reload."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import expect

from tests.conftest import make_settings
from tests.support.browser import launched_chromium, sign_in_console
from tests.support.handoff import PASSWORD, make_agent, make_team, token_for
from tests.support.live_server import LiveServer


@pytest.mark.browser
async def test_open_consoles_follow_status_changes(backend, settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    andrii = await make_agent(session_factory, "andrii@shop.ua", team="support", name="Andrii")
    olena = await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena")
    await make_agent(session_factory, "taras@shop.ua", role="supervisor", name="Taras")
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            taras = await (await browser.new_context()).new_page()
            await sign_in_console(taras, server.url, "taras@shop.ua", PASSWORD)
            andrii_in_panel = taras.locator(f"#agent-list select[data-agent-id='{andrii}']")
            await expect(andrii_in_panel).to_have_value("offline")
            async with httpx.AsyncClient(base_url=server.url) as http:
                response = await http.post("/api/agents/me/status", json={"status": "online"},
                                           headers=await token_for(session_factory, andrii))
                assert response.status_code == 200, response.text
            await expect(andrii_in_panel).to_have_value("online")

            olena_page = await (await browser.new_context()).new_page()
            await sign_in_console(olena_page, server.url, "olena@shop.ua", PASSWORD)
            await olena_page.select_option("#my-status", "online")
            await expect(taras.locator(f"#agent-list select[data-agent-id='{olena}']")).to_have_value("online")
            await taras.select_option(f"#agent-list select[data-agent-id='{olena}']", "away")
            await expect(olena_page.locator("#my-status")).to_have_value("away")
