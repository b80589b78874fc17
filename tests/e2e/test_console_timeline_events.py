"""The customer's timeline in the console spans all their conversations (found by QA): a transition of
another conversation says which one, as its messages do."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.conftest import make_settings
from tests.support.browser import launched_chromium, sign_in_console
from tests.support.handoff import PASSWORD, harness, make_agent, make_team, shopper
from tests.support.live_server import LiveServer


@pytest.mark.browser
async def test_the_customers_other_conversations_events_name_their_conversation(backend, settings,
                                                                               session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena")
    flow = harness(settings, session_factory)
    earlier = (await flow.flow.process(shopper("person", user="1001", data="handoff:request"))).conversation_id
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            page = await browser.new_page()
            await sign_in_console(page, server.url, "olena@shop.ua", PASSWORD)
            title = page.locator("#conversation-title")
            await page.locator(f"#queue-list li[data-id='{earlier}']").click()
            await page.click("#take")
            await expect(title).to_have_text(f"Conversation #{earlier} · assigned")
            await page.click("#resolve")
            await expect(title).to_have_text(f"Conversation #{earlier} · resolved")

            later = (await flow.flow.process(shopper("person", user="1001", data="handoff:request"))).conversation_id
            assert later != earlier
            await page.reload()
            await expect(page.locator("#live-state")).to_have_text("live")
            await page.locator(f"#queue-list li[data-id='{later}']").click()
            await expect(title).to_have_text(f"Conversation #{later} · queued")
            await expect(page.locator("[data-testid=event-resolved]")).to_contain_text(f"#{earlier} Resolved")
            handoffs = page.locator("[data-testid=event-handoff]")
            await expect(handoffs.first).to_contain_text(f"#{earlier} Handed off")
            await expect(handoffs.last).to_contain_text("— Handed off")  # the open conversation's own
