"""The console's sign-in form (found by QA): the password does not stay in the form for the next person at the
computer."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.conftest import make_settings
from tests.support.browser import launched_chromium, sign_in_console
from tests.support.handoff import PASSWORD, make_agent, make_team
from tests.support.live_server import LiveServer


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
