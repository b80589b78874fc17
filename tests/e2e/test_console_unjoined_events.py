"""The console's timeline of a conversation a merge joined and an unmerge reopened says so in words.

Regression: it read "Resolved · reason: joined" and "Handed off · reason: unjoined", codes an agent took
for a resolution of the shopper's request.
"""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from core.models import Conversation
from tests.support.browser import served_with_chromium, sign_in_console
from tests.support.handoff import PASSWORD, harness, make_agent, make_team, shopper
from tests.support.staff import bearer_for


@pytest.mark.browser
async def test_a_joined_and_reopened_conversation_reads_as_such(backend, settings, session_factory, client) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena")
    flow = harness(settings, session_factory).flow
    telegram = (await flow.process(shopper("person", user="tg-1", data="handoff:request"))).conversation_id
    viber = (await flow.process(shopper("person", user="vb-1", channel="viber",
                                        data="handoff:request"))).conversation_id
    async with session_factory() as session:
        source = (await session.get(Conversation, viber)).customer_id
        target = (await session.get(Conversation, telegram)).customer_id
    admin = await bearer_for(session_factory, "admin")
    # The Viber conversation was handed off last, so it is closed into the Telegram one, which waited longer.
    for action, body in (("merge", {"into": target}), ("unmerge", None)):
        response = await client.post(f"/api/customers/{source}/{action}", json=body, headers=admin)
        assert response.status_code == 200, response.text

    async with served_with_chromium(backend, settings) as (server, browser):
        page = await browser.new_page()
        await sign_in_console(page, server.url, "olena@shop.ua", PASSWORD)
        await page.locator(f"#queue-list li[data-id='{viber}']").click()
        await expect(page.locator("#conversation-title")).to_have_text(f"Conversation #{viber} · queued")
        await expect(page.locator("[data-testid=event-resolved]")).to_contain_text(
            f"reason: joined into the shopper's other conversation #{telegram}")
        await expect(page.locator("[data-testid=event-handoff]").last).to_contain_text(
            "reason: reopened by an unmerge")
