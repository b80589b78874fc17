"""The console's sign-in form and header (found by QA): the password does not stay in the form for the next person
at the computer, and the header's links can be read on its dark background."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.conftest import make_settings
from tests.support.browser import launched_chromium, sign_in_console
from tests.support.handoff import PASSWORD, make_agent, make_team
from tests.support.live_server import LiveServer

AA_CONTRAST = 4.5  # WCAG AA, normal text


@pytest.mark.browser
async def test_the_password_is_gone_after_signing_in_and_when_the_form_shows_again(backend, settings,
                                                                                   session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena")
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            context = await browser.new_context()
            first, second = await context.new_page(), await context.new_page()
            password = first.locator("#login-password")
            await first.goto(f"{server.url}/console")
            await first.fill("#login-email", "olena@shop.ua")
            await first.fill("#login-password", "not-her-password")
            await first.click("#login-submit")
            await expect(first.locator("#login-error")).not_to_have_text("")
            await expect(password).to_have_value("")

            await sign_in_console(first, server.url, "olena@shop.ua", PASSWORD)
            await expect(password).to_have_value("")

            # Signed out in another tab: the form this tab shows asks for the password again.
            await second.goto(f"{server.url}/console")
            await expect(second.locator("#live-state")).to_have_text("live")
            await second.click("#logout")
            await expect(first.locator("#login-error")).to_have_text("Your session ended. Sign in again.")
            await expect(password).to_have_value("")
            await expect(second.locator("#login")).to_be_visible()
            await expect(second.locator("#login-password")).to_have_value("")


def _luminance(css_colour: str) -> float:
    """The WCAG relative luminance of an opaque ``rgb(r, g, b)`` as getComputedStyle gives it."""
    def channel(value: str) -> float:
        c = int(value) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in re.fullmatch(r"rgb\((\d+), (\d+), (\d+)\)", css_colour).groups())
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


async def _contrast_on_header(page: Page, selector: str) -> float:
    colours = await page.evaluate("(selector) => [getComputedStyle(document.querySelector(selector)).color,"
                                  " getComputedStyle(document.querySelector('header')).backgroundColor]", selector)
    lighter, darker = sorted(map(_luminance, colours), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.browser
async def test_the_header_links_can_be_read_on_the_header(backend, settings, session_factory) -> None:
    # getComputedStyle never shows :visited colours (browsers hide the history); the CSS rule covers them.
    await make_agent(session_factory, "taras@shop.ua", role="supervisor", name="Taras")
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            page = await browser.new_page()
            await sign_in_console(page, server.url, "taras@shop.ua", PASSWORD)
            await expect(page.locator("#analytics-link")).to_be_visible()
            for link in ("header a[href='/kb']", "#analytics-link"):
                assert await _contrast_on_header(page, link) >= AA_CONTRAST, link

            await page.focus("#logout")
            await page.keyboard.press("Shift+Tab")  # to the Analytics link, from the keyboard
            assert await page.evaluate("() => document.activeElement.matches('#analytics-link:focus-visible')")
            assert await _contrast_on_header(page, "#analytics-link") >= AA_CONTRAST
