"""What the console shows of a conversation: canned replies in its language, readable button presses,
notes with their authors, transfers to a named agent, actions only for who may take them, and a finished
conversation found again by a search, kept open across a reload."""

from __future__ import annotations

import dataclasses

import pytest
from playwright.async_api import async_playwright, expect

from tests.conftest import make_settings
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, sign_in_console
from tests.support.handoff import PASSWORD, harness, make_agent, make_team, shopper
from tests.support.live_server import LiveServer

PRESSES = ["kb:delivery-time", "fb:delivery-time:up", "order:10234"]


async def _handed_off(flow, *, user: str, language: str, presses: list[str]) -> int:
    for data in presses:
        await flow.flow.process(shopper(data, user=user, data=data, language=language))
    handed = await flow.flow.process(shopper("handoff:request", user=user, data="handoff:request", language=language))
    return handed.conversation_id


@pytest.mark.browser
async def test_the_open_conversation_as_the_agent_and_the_supervisor_see_it(backend, settings,
                                                                           session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena")
    await make_agent(session_factory, "petro@shop.ua", team="support", name="Petro")
    await make_agent(session_factory, "taras@shop.ua", role="supervisor", name="Taras")
    flow = harness(settings, session_factory)
    ukrainian = await _handed_off(flow, user="1", language="uk", presses=PRESSES)
    english = await _handed_off(flow, user="2", language="en", presses=[])
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            olena = await (await browser.new_context(locale="en-US")).new_page()
            await sign_in_console(olena, server.url, "olena@shop.ua", PASSWORD)
            await expect(olena.locator("#queue-list li").first).to_contain_text("waiting since")
            for conversation_id in (english, ukrainian):
                await olena.locator(f"#queue-list li[data-id='{conversation_id}']").click()
                await expect(olena.locator("#conversation-title")).to_contain_text(f"#{conversation_id}")
                await olena.click("#take")
                await expect(olena.locator("#reply-form")).to_be_visible()
            await expect(olena.locator("#mine-list li").first).to_contain_text("with Olena")
            await expect(olena.locator("#mine-list li").first).not_to_contain_text("waiting since")

            # The open conversation is Ukrainian: so is the greeting, whatever the browser's language.
            await olena.select_option("#canned", label="Greeting")
            await expect(olena.locator("#reply-text")).to_have_value("Вітаю! Мене звати Olena, я допоможу вам.")
            timeline = olena.locator("#timeline")
            for shown in ("▸ Delivery time", "👍 on Delivery time", "▸ order 10234", "▸ Talk to a person"):
                await expect(timeline).to_contain_text(shown)
            for raw in PRESSES:
                await expect(timeline).not_to_contain_text(raw)

            await olena.fill("#note-text", "Asked twice already")
            await olena.click("#add-note")
            await expect(olena.locator("#notes li")).to_contain_text("Olena · ")

            await olena.locator(f"#mine-list li[data-id='{english}']").click()
            await expect(olena.locator("#conversation-title")).to_contain_text(f"#{english}")
            await olena.fill("#reply-text", "")
            await olena.select_option("#canned", label="Greeting")
            await expect(olena.locator("#reply-text")).to_have_value("Hello! My name is Olena, I will help you.")

            await olena.locator(f"#mine-list li[data-id='{ukrainian}']").click()
            await expect(olena.locator("#conversation-title")).to_contain_text(f"#{ukrainian}")
            await olena.select_option("#transfer-target", label="Petro (offline)")
            await olena.click("#transfer")
            await expect(olena.locator("[data-testid=event-transferred]")).to_contain_text("to Petro")
            # Petro owns it now: Olena may neither resolve, hand back nor transfer it (the API says 409).
            for control in ("#resolve", "#handback", "#transfer", "#transfer-target", "#reply-form"):
                await expect(olena.locator(control)).to_be_hidden()

            taras = await (await browser.new_context()).new_page()
            await sign_in_console(taras, server.url, "taras@shop.ua", PASSWORD)
            await expect(taras.locator(f"#assigned-list li[data-id='{ukrainian}']")).to_contain_text("with Petro")
            await taras.locator(f"#assigned-list li[data-id='{ukrainian}']").click()
            await expect(taras.locator("#resolve")).to_be_visible()  # supervisors may act on anyone's
            await expect(taras.locator("#notes li")).to_contain_text("Olena · ")
            await browser.close()


@pytest.mark.browser
async def test_a_resolved_conversation_is_found_by_name_opened_and_kept_open_on_reload(backend, settings,
                                                                                      session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena")
    flow = harness(settings, session_factory)

    async def marta(text: str, data: str | None = None) -> int:
        update = dataclasses.replace(shopper(text, user="77", data=data), display_name="Marta Koval")
        return (await flow.flow.process(update)).conversation_id

    await marta("The kettle arrived broken")
    complaint = await marta("handoff:request", data="handoff:request")
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            olena = await (await browser.new_context(locale="en-US")).new_page()
            await sign_in_console(olena, server.url, "olena@shop.ua", PASSWORD)
            await olena.locator(f"#queue-list li[data-id='{complaint}']").click()
            await olena.click("#take")
            await expect(olena.locator("#reply-form")).to_be_visible()
            await olena.click("#resolve")
            await expect(olena.locator("#conversation-title")).to_have_text(f"Conversation #{complaint} · resolved")
            # She comes back to it later: her console shows something else, the complaint is in no list.
            await olena.goto(f"{server.url}/console")
            await expect(olena.locator("#live-state")).to_have_text("live")
            await expect(olena.locator("#conversation")).to_be_hidden()
            await expect(olena.locator(f"li[data-id='{complaint}']")).to_have_count(0)
            again = await marta("handoff:request", data="handoff:request")  # she writes in again meanwhile
            assert again != complaint

            await olena.fill("#search-text", "marta")
            await olena.click("#search")
            found = olena.locator(f"#search-list li[data-id='{complaint}']")
            await expect(found).to_contain_text("Marta Koval")
            await expect(found).to_contain_text("resolved")
            await found.click()
            title = olena.locator("#conversation-title")
            await expect(title).to_have_text(f"Conversation #{complaint} · resolved")
            await expect(olena.locator("#timeline")).to_contain_text("The kettle arrived broken")
            for control in ("#take", "#resolve", "#reply-form"):
                await expect(olena.locator(control)).to_be_hidden()

            await olena.reload()
            await expect(title).to_have_text(f"Conversation #{complaint} · resolved")
            await expect(olena.locator("#timeline")).to_contain_text("The kettle arrived broken")

            # The customer card's conversations are links: her new one opens, with what may be done on it.
            await olena.locator("[data-testid=card-conversation]", has_text=f"#{again} ").click()
            await expect(title).to_have_text(f"Conversation #{again} · queued")
            await expect(olena.locator("#take")).to_be_visible()

            await olena.fill("#search-text", "a")
            await olena.click("#search")
            await expect(olena.locator("#search-state")).to_have_text("q: between 2 and 100 characters")
            await browser.close()
