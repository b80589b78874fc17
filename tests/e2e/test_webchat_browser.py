"""A shopper uses the web chat in a real browser: the /chat page and the one-script-tag widget."""

import pytest
from aiohttp import web
from playwright.async_api import async_playwright, expect

from tests.support.channels import channel_settings
from tests.support.http_double import HttpDouble
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE = "Hi <img src=x onerror=window.pwned=1> & bye"


class ShopSite(HttpDouble):
    """A shop's page on another origin (another port), embedding the widget."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.html = html

    def routes(self, app: web.Application) -> None:
        async def page(_request):
            return web.Response(text=self.html, content_type="text/html")

        app.router.add_get("/", page)


@pytest.fixture
def server(settings, backend):
    with LiveServer(channel_settings(backend)) as live:
        yield live


async def test_shopper_chats_on_the_page_and_through_the_embedded_widget(server):
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(locale="en-US")
            await page.goto(f"{server.url}/chat")
            await page.fill("#text", HOSTILE)
            await page.press("#text", "Enter")
            mine = page.locator(".msg.in").first
            await expect(mine).to_have_text(HOSTILE)  # shown as text, never parsed as HTML
            await expect(page.locator(".msg.out")).to_have_count(1, timeout=15000)
            assert await page.locator(".log img").count() == 0
            assert await page.evaluate("window.pwned") is None
            reply = await page.locator(".msg.out").first.inner_text()
            assert reply.strip()

            # A reload keeps the conversation (same visitor id from localStorage).
            await page.reload()
            await expect(page.locator(".msg")).to_have_count(2, timeout=10000)

            # The widget on a shop's page: one script tag, a button, the chat in a frame.
            shop = await browser.new_page()
            snippet = f'<script src="{server.url}/chat/widget.js" async></script>'
            with ShopSite(f"<!doctype html><h1>Shop</h1>{snippet}") as site:
                await shop.goto(site.url + "/")
                await shop.get_by_role("button", name="Chat").click()
                chat = shop.frame_locator("iframe[title=Chat]")
                await chat.locator("#text").fill("Do you ship to Lviv?")
                await chat.locator("#text").press("Enter")
                await expect(chat.locator(".msg.out")).to_have_count(1, timeout=15000)
        finally:
            await browser.close()
