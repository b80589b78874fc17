"""A console tab left open while another account signs in in the same browser (found by QA of the demo:
its writes failed until reloaded, without a word): it says so, sends nothing in the other person's name,
keeps the reply being typed, and goes on after its own person signs in again."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
from playwright.async_api import expect
from sqlalchemy import func, select

from core.models import Message
from tests.conftest import make_settings
from tests.support.browser import launched_chromium, sign_in_console
from tests.support.handoff import PASSWORD, make_agent, make_team, queued_request_for_a_person
from tests.support.live_server import LiveServer

DRAFT = "Your parcel left today."


@asynccontextmanager
async def _olena_typing_a_reply(backend, settings, session_factory, *, other_agent: bool = False):
    """Olena's console in one tab of a browser, a taken conversation with DRAFT typed; yields (server, that tab,
    a second tab of the same browser)."""
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena")
    if other_agent:
        await make_agent(session_factory, "petro@shop.ua", team="support", name="Petro")
    handed = await queued_request_for_a_person(settings, session_factory)
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            context = await browser.new_context()
            first, second = await context.new_page(), await context.new_page()
            await sign_in_console(first, server.url, "olena@shop.ua", PASSWORD)
            await first.locator(f"#queue-list li[data-id='{handed}']").click()
            await first.click("#take")
            await first.fill("#reply-text", DRAFT)
            yield server, first, second


async def _agent_replies(factory) -> int:
    async with factory() as session:
        return await session.scalar(select(func.count(Message.id)).where(Message.author == "agent"))


@pytest.mark.browser
async def test_a_tab_of_another_account_says_so_keeps_the_draft_and_goes_on_after_signing_in(
        backend, settings, session_factory) -> None:
    async with _olena_typing_a_reply(backend, settings, session_factory, other_agent=True) as (server, first, second):
        # Petro signs in in this browser while Olena's session lives on (on another page of the app, say);
        # a sign-out first is noticed at once (see the next test).
        signed_in = await second.request.post(f"{server.url}/api/auth/login",
                                              data={"email": "petro@shop.ua", "password": PASSWORD})
        assert signed_in.ok
        await second.goto(f"{server.url}/console")
        await expect(second.locator("#me")).to_have_text("Petro (agent)")

        # The next write: refused, said why, nothing sent as Petro, the draft kept.
        await first.click("#send")
        switched = first.locator("#account-switched")
        await expect(switched).to_be_visible()
        await expect(switched).to_contain_text("Another account (Petro, petro@shop.ua) signed in in this browser")
        await expect(first.locator("#account-continue")).to_have_text("Continue as Petro")
        await expect(first.locator("#action-error")).to_contain_text("Another account (Petro")
        await expect(first.locator("#reply-text")).to_have_value(DRAFT)
        assert await _agent_replies(session_factory) == 0

        await first.click("#account-sign-in-again")
        await expect(first.locator("#login-email")).to_have_value("olena@shop.ua")
        await first.fill("#login-password", PASSWORD)
        await first.click("#login-submit")
        await expect(first.locator("#live-state")).to_have_text("live")
        await expect(switched).to_be_hidden()
        await expect(first.locator("#reply-text")).to_have_value(DRAFT)
        await first.click("#send")
        await expect(first.locator("#timeline")).to_contain_text(DRAFT)
        assert await _agent_replies(session_factory) == 1

        # Petro's tab is now the stale one: its next auth check (coming back into view) says so.
        await second.evaluate("window.dispatchEvent(new Event('focus'))")
        await expect(second.locator("#account-switched")).to_contain_text(
            "Another account (Olena, olena@shop.ua) signed in in this browser")
        await second.click("#account-continue")
        await expect(second.locator("#me")).to_have_text("Olena (agent)")


@pytest.mark.browser
async def test_signing_out_in_another_tab_is_noticed_at_once_and_the_draft_is_kept(
        backend, settings, session_factory) -> None:
    # Both tabs share one session: a sign-out in one ends it in the other, which says so straight away
    # (its live socket is closed, and the agent's status change arrives) instead of at its next write.
    async with _olena_typing_a_reply(backend, settings, session_factory) as (server, first, second):
        await second.goto(f"{server.url}/console")
        await expect(second.locator("#live-state")).to_have_text("live")
        await second.click("#logout")

        await expect(first.locator("#login-error")).to_have_text("Your session ended. Sign in again.")
        await first.fill("#login-email", "olena@shop.ua")
        await first.fill("#login-password", PASSWORD)
        await first.click("#login-submit")
        await expect(first.locator("#live-state")).to_have_text("live")
        await expect(first.locator("#reply-text")).to_have_value(DRAFT)
        await first.click("#send")
        await expect(first.locator("#timeline")).to_contain_text(DRAFT)
        assert await _agent_replies(session_factory) == 1
