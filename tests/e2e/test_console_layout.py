"""The console's layout holds whatever shoppers send and whatever the window's size (found by QA): long words
wrap, the reply and note boxes show their limits, and a narrow window stacks the columns."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
from playwright.async_api import expect

from tests.conftest import make_settings
from tests.support.browser import launched_chromium, sign_in_console
from tests.support.handoff import PASSWORD, harness, make_agent, make_team, shopper
from tests.support.live_server import LiveServer


@asynccontextmanager
async def _taken_conversation(backend, settings, session_factory, *, messages=(), viewport=None):
    """A console page where Olena has taken a conversation whose shopper wrote ``messages``; yields the page."""
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena", status="online")
    flow = harness(settings, session_factory)
    opened = (await flow.flow.process(shopper("person", user="1001", data="handoff:request"))).conversation_id
    for text in messages:
        await flow.flow.process(shopper(text, user="1001"))
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            page = await browser.new_page(viewport=viewport)
            await sign_in_console(page, server.url, "olena@shop.ua", PASSWORD)
            await page.locator(f"li[data-id='{opened}']").first.click()
            await expect(page.locator("#conversation-title")).to_contain_text(f"Conversation #{opened}")
            if await page.locator("#take").is_visible():
                await page.click("#take")
            await expect(page.locator("#reply-form")).to_be_visible()
            yield page


@pytest.mark.browser
async def test_a_long_unbroken_message_wraps_instead_of_scrolling_sideways(backend, settings,
                                                                          session_factory) -> None:
    async with _taken_conversation(backend, settings, session_factory, messages=["A" * 3990]) as page:
        await expect(page.locator("#timeline")).to_contain_text("AAAA")
        widths = await page.evaluate("() => [$('timeline').scrollWidth, $('timeline').clientWidth]")
        assert widths[0] <= widths[1], widths


@pytest.mark.browser
async def test_the_reply_and_note_boxes_stop_at_the_servers_limits(backend, settings, session_factory) -> None:
    async with _taken_conversation(backend, settings, session_factory) as page:
        for box, typed, limit in (("#reply-text", 10_000, 4096), ("#note-text", 5_000, 4000)):
            await page.focus(box)
            await page.keyboard.insert_text("B" * typed)  # as a paste is, unlike fill() which sets the value
            assert len(await page.locator(box).input_value()) == limit, box
        await page.click("#add-note")
        await expect(page.locator("#notes li")).to_contain_text("Olena · ")
        await expect(page.locator("#action-error")).to_have_text("")
        await page.click("#send")
        await expect(page.locator("[data-testid=message].author-agent")).to_have_count(1)
        await expect(page.locator("#action-error")).to_have_text("")


@pytest.mark.browser
async def test_a_narrow_window_stacks_the_columns_so_the_reply_box_fits(backend, settings, session_factory) -> None:
    async with _taken_conversation(backend, settings, session_factory,
                                   viewport={"width": 800, "height": 900}) as page:
        for control in ("#reply-text", "#send"):
            await page.locator(control).scroll_into_view_if_needed()
            await expect(page.locator(control)).to_be_visible()
            box = await page.locator(control).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 800, (control, box)
        assert (await page.locator("#reply-text").bounding_box())["width"] >= 300
        tops = [(await page.locator(column).bounding_box())["y"] for column in ("nav", "#conversation",
                                                                                 "#customer-card")]
        assert tops == sorted(tops), tops
        await page.fill("#reply-text", "Your parcel is on its way.")
        await page.click("#send")
        await expect(page.locator("[data-testid=message].author-agent")).to_contain_text("Your parcel is on its way.")
