"""The console from the keyboard alone (found by QA: conversations, SLA alerts and suggestions answered
only clicks): each is reached with Tab, shows where the focus is, and opens with Enter or Space."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy import update

from core.database import utcnow
from core.models import Conversation
from knowledge_base.models import Article
from tests.conftest import make_settings
from tests.support.browser import launched_chromium, sign_in_console
from tests.support.handoff import PASSWORD, harness, make_agent, make_team, shopper, token_for
from tests.support.kb import article_body
from tests.support.live_server import LiveServer

MAX_TABS = 60


@dataclass(frozen=True)
class Candidate:
    article_id: str
    title: str
    score: float


@dataclass(frozen=True)
class Decision:
    candidates: tuple[Candidate, ...]


class DeliveryIndex:
    """A knowledge-base index that always finds the delivery-cost article."""

    async def decide(self, text: str, **_options) -> Decision:
        return Decision((Candidate("delivery-cost", "Delivery cost", 0.8),))


async def _tab_to(page: Page, selector: str, key: str = "Tab") -> None:
    """Press ``key`` (Tab, or Shift+Tab to go back) until the focused element matches ``selector``."""
    for _ in range(MAX_TABS):
        await page.keyboard.press(key)
        if await page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"{selector} is not reachable with {key}")


async def _assert_focus_shows(page: Page) -> None:
    outline = await page.evaluate("() => { const style = getComputedStyle(document.activeElement);"
                                  " return [style.outlineStyle, parseFloat(style.outlineWidth)]; }")
    assert outline[0] == "solid" and outline[1] >= 2, outline


async def _published_article(server: LiveServer, session_factory, editor: int) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        headers = await token_for(session_factory, editor)
        created = await http.post("/api/articles", json=article_body(), headers=headers)
        assert created.status_code == 201, created.text
    async with session_factory() as session, session.begin():  # published without the app's real index
        await session.execute(update(Article).where(Article.slug == "delivery-cost").values(status="published"))
    server.server.config.app.state.services.extras["kb_index"] = DeliveryIndex()


async def _asks_then_presses_for_a_person(flow, user: str) -> int:
    """A shopper's question, then the "talk to a person" button: the id of the conversation queued.

    The suggestions answer that question; the button's own label ("Talk to a person") asks nothing.
    """
    await flow.flow.process(shopper("How much is delivery?", user=user))
    return (await flow.flow.process(shopper("Talk to a person", user=user, data="handoff:request"))).conversation_id


@pytest.mark.browser
async def test_conversations_suggestions_and_alerts_open_from_the_keyboard(backend, settings, session_factory,
                                                                            monkeypatch) -> None:
    monkeypatch.setenv("RELAYDESK_SLA_CHECK_INTERVAL_S", "0.2")
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "taras@shop.ua", role="supervisor", team="support", name="Taras")
    editor = await make_agent(session_factory, "editor@shop.ua", role="editor")
    flow = harness(settings, session_factory)
    first, second = [await _asks_then_presses_for_a_person(flow, user) for user in ("1001", "1002")]
    server_settings = make_settings(backend, run_workers=True, redis_prefix=settings.redis_prefix)
    with LiveServer(server_settings) as server:
        await _published_article(server, session_factory, editor)
        async with launched_chromium() as browser:
            page = await browser.new_page()
            await sign_in_console(page, server.url, "taras@shop.ua", PASSWORD)
            await expect(page.locator("#queue-list li")).to_have_count(2)
            title = page.locator("#conversation-title")

            await _tab_to(page, f"#queue-list li[data-id='{first}']")
            await _assert_focus_shows(page)
            await page.keyboard.press("Enter")
            await expect(title).to_have_text(f"Conversation #{first} · queued")

            await _tab_to(page, "[data-testid=suggestion]")
            await _assert_focus_shows(page)
            await page.keyboard.press("Space")
            await expect(page.locator("#reply-text")).to_have_value("Delivery costs 70 UAH, free from 1500 UAH.")

            await _tab_to(page, f"#queue-list li[data-id='{second}']", "Shift+Tab")
            await page.keyboard.press("Space")
            await expect(title).to_have_text(f"Conversation #{second} · queued")

            async with session_factory() as session, session.begin():
                await session.execute(update(Conversation).where(Conversation.id == first)
                                      .values(first_response_due_at=utcnow() - timedelta(seconds=1)))
            alert = page.locator("[data-testid=sla-alert]")
            await expect(alert).to_have_count(1)
            await _tab_to(page, "[data-testid=sla-alert]", "Shift+Tab")
            await _assert_focus_shows(page)
            await page.keyboard.press("Enter")
            await expect(title).to_have_text(f"Conversation #{first} · queued")
            await expect(alert).to_have_count(0)
