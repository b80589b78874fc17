"""Unsent replies and notes belong to their conversation (found by QA: typed for one customer, they stayed in
the boxes when the agent opened another conversation, and Send delivered them to that other customer)."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from core.models import ConversationNote, Message
from tests.conftest import make_settings
from tests.support.browser import launched_chromium, live_frame, sign_in_console
from tests.support.handoff import PASSWORD, harness, make_agent, make_team, shopper
from tests.support.live_server import LiveServer

REPLY_A, NOTE_A = "Your warranty case number is 5521.", "Threatens to sue"
REPLY_B, NOTE_B = "Your parcel left today.", "Asked twice already"
GREETING = "Hello! My name is Olena, I will help you."


@asynccontextmanager
async def _olena_with_two_conversations(backend, settings, session_factory):
    """Olena's console with two conversations of two shoppers taken; yields (the page, A's id, B's id, the flow)."""
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena")
    flow = harness(settings, session_factory)
    first, second = [(await flow.flow.process(shopper("person", user=user, data="handoff:request"))).conversation_id
                     for user in ("1001", "1002")]
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            page = await browser.new_page()
            await sign_in_console(page, server.url, "olena@shop.ua", PASSWORD)
            for conversation_id in (first, second):
                await _open(page, "queue", conversation_id)
                await page.click("#take")
                await expect(page.locator("#reply-form")).to_be_visible()
            await expect(page.locator("#mine-list li")).to_have_count(2)
            yield page, first, second, flow


async def _open(page: Page, listed: str, conversation_id: int) -> None:
    await page.locator(f"#{listed}-list li[data-id='{conversation_id}']").click()
    await expect(page.locator("#conversation-title")).to_contain_text(f"#{conversation_id} ")


async def _expect_boxes(page: Page, reply: str, note: str) -> None:
    await expect(page.locator("#reply-text")).to_have_value(reply)
    await expect(page.locator("#note-text")).to_have_value(note)


async def _stored(factory, model) -> list[tuple[int, str]]:
    """(conversation id, text) of every agent reply (model Message) or note (ConversationNote), oldest first."""
    query = select(model.conversation_id, model.text).order_by(model.id)
    if model is Message:
        query = query.where(Message.author == "agent")
    async with factory() as session:
        return [tuple(row) for row in (await session.execute(query)).all()]


@pytest.mark.browser
async def test_each_conversation_keeps_its_own_draft_and_sends_only_its_own_text(backend, settings,
                                                                                  session_factory) -> None:
    async with _olena_with_two_conversations(backend, settings, session_factory) as (page, a, b, flow):
        await _open(page, "mine", a)
        await page.fill("#reply-text", REPLY_A)
        await page.fill("#note-text", NOTE_A)

        await _open(page, "mine", b)
        await _expect_boxes(page, "", "")
        await page.fill("#reply-text", REPLY_B)
        await page.click("#send")
        await expect(page.locator("#timeline")).to_contain_text(REPLY_B)
        await page.fill("#note-text", NOTE_B)
        await page.click("#add-note")
        await expect(page.locator("#notes")).to_contain_text(NOTE_B)
        await _expect_boxes(page, "", "")
        assert await _stored(session_factory, Message) == [(b, REPLY_B)]
        assert await _stored(session_factory, ConversationNote) == [(b, NOTE_B)]

        # What is being typed stays while a new shopper message re-renders the open conversation.
        await page.fill("#reply-text", "Let me check")
        await flow.flow.process(shopper("Any news?", user="1002"))
        await live_frame(page, "message.created", {"conversation_id": b})
        await expect(page.locator("#timeline")).to_contain_text("Any news?")
        await _expect_boxes(page, "Let me check", "")

        # A's draft is back, and a canned answer goes into it, not into B's.
        await _open(page, "mine", a)
        await _expect_boxes(page, REPLY_A, NOTE_A)
        await page.select_option("#canned", label="Greeting")
        await _expect_boxes(page, f"{REPLY_A}\n{GREETING}", NOTE_A)
        await _open(page, "mine", b)
        await _expect_boxes(page, "Let me check", "")
        assert await _stored(session_factory, Message) == [(b, REPLY_B)]


@pytest.mark.browser
async def test_a_reply_sent_just_before_opening_another_conversation_clears_only_its_own_draft(
        backend, settings, session_factory) -> None:
    async with _olena_with_two_conversations(backend, settings, session_factory) as (page, a, b, _flow):
        await _open(page, "mine", a)
        await page.fill("#reply-text", REPLY_A)
        await _open(page, "mine", b)
        await page.fill("#reply-text", REPLY_B)

        # B's reply is held on its way until A is open again.
        held, release = asyncio.Event(), asyncio.Event()

        async def hold(route) -> None:
            if route.request.method == "POST":
                held.set()
                await release.wait()
            await route.continue_()

        await page.route(f"**/api/conversations/{b}/messages", hold)
        await page.click("#send")
        await asyncio.wait_for(held.wait(), 10)
        await _open(page, "mine", a)
        await _expect_boxes(page, REPLY_A, "")
        release.set()
        # The send is done once B's draft is emptied (the page's own record, no box shows it while A is open).
        await page.wait_for_function(f"() => drafts.get({b})['reply-text'] === ''")
        await _expect_boxes(page, REPLY_A, "")
        await page.unroute(f"**/api/conversations/{b}/messages")
        await _open(page, "mine", b)
        await _expect_boxes(page, "", "")
        assert await _stored(session_factory, Message) == [(b, REPLY_B)]
