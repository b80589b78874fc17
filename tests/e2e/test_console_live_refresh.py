"""The open conversation keeps up with what happens while the console is open (found by QA): a new shopper
message shows even when another conversation changes at the same moment, and one that came while the live
socket was down shows once it is back."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.conftest import make_settings
from tests.support.browser import launched_chromium, live_frame, sign_in_console
from tests.support.handoff import PASSWORD, harness, make_agent, make_team, shopper
from tests.support.live_server import LiveServer


@pytest.mark.browser
async def test_a_new_message_shows_although_another_conversation_changed_at_once(backend, settings,
                                                                                 session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "taras@shop.ua", role="supervisor", team="support", name="Taras")
    flow = harness(settings, session_factory)
    opened, other = [(await flow.flow.process(shopper("person", user=user, data="handoff:request"))).conversation_id
                     for user in ("1001", "1002")]
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            page = await browser.new_page()
            await sign_in_console(page, server.url, "taras@shop.ua", PASSWORD)
            await page.locator(f"#queue-list li[data-id='{opened}']").click()
            await expect(page.locator("#conversation-title")).to_have_text(f"Conversation #{opened} · queued")

            await flow.flow.process(shopper("Where is my parcel?", user="1001"))
            await live_frame(page, "message.created", {"conversation_id": opened})
            await live_frame(page, "conversation.updated", {"conversation_id": other})
            await expect(page.locator("#timeline")).to_contain_text("Where is my parcel?")


@pytest.mark.browser
async def test_a_message_sent_while_the_socket_was_down_shows_once_it_is_back(backend, settings,
                                                                               session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "taras@shop.ua", role="supervisor", team="support", name="Taras")
    flow = harness(settings, session_factory)
    opened = (await flow.flow.process(shopper("person", user="1001", data="handoff:request"))).conversation_id
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            page = await browser.new_page()
            await sign_in_console(page, server.url, "taras@shop.ua", PASSWORD)
            await page.locator(f"#queue-list li[data-id='{opened}']").click()
            await expect(page.locator("#conversation-title")).to_have_text(f"Conversation #{opened} · queued")

            await page.evaluate("() => state.socket.close()")  # as a dropped connection does
            await expect(page.locator("#live-state")).to_have_text("reconnecting")
            await flow.flow.process(shopper("Where is my parcel?", user="1001"))
            await expect(page.locator("#live-state")).to_have_text("live")
            await expect(page.locator("#timeline")).to_contain_text("Where is my parcel?")
