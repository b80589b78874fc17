"""A shopper's shared location shows in the console as its coordinates, linked to a map."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from bots.inbound import InboundMessage
from tests.conftest import make_settings
from tests.support.browser import launched_chromium, sign_in_console
from tests.support.handoff import PASSWORD, harness, make_agent, make_team
from tests.support.live_server import LiveServer


@pytest.mark.browser
async def test_a_shared_location_is_a_map_link(backend, settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena")
    flow = harness(settings, session_factory, decision={"action": "handoff", "reason": "explicit_request"})
    located = InboundMessage(channel="telegram", user_id="1", chat_id="1", dedup_key="location-1", kind="location",
                             payload={"attachment": {"type": "location", "latitude": 50.4501,
                                                     "longitude": 30.5234}})
    conversation_id = (await flow.flow.process(located)).conversation_id
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            page = await (await browser.new_context()).new_page()
            await sign_in_console(page, server.url, "olena@shop.ua", PASSWORD)
            await page.locator(f"#queue-list li[data-id='{conversation_id}']").click()
            link = page.locator("#timeline [data-testid='location']")
            await expect(link).to_have_text("📍 50.4501, 30.5234")
            await expect(link).to_have_attribute(
                "href", "https://www.openstreetmap.org/?mlat=50.4501&mlon=30.5234")
            await expect(page.locator("#timeline")).not_to_contain_text("file id")
