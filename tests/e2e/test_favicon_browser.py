"""A browser opening the console, the editor or the web chat gets every file it asks for, the icon included
(found by QA of the demo: /favicon.ico was 404 on each page)."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.conftest import make_settings
from tests.support.browser import launched_chromium
from tests.support.live_server import LiveServer


@pytest.mark.browser
@pytest.mark.parametrize("path, ready", [
    pytest.param("/console", "#login-email", id="console"),
    pytest.param("/kb", "header h1", id="kb-editor"),
    pytest.param("/chat", "#text", id="webchat"),
])
async def test_a_page_loads_with_its_icon_and_nothing_missing(backend, settings, path, ready) -> None:
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            page = await browser.new_page()
            missing: list[str] = []
            page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
            await page.goto(f"{server.url}{path}")
            await expect(page.locator(ready)).to_be_visible()
            icon = await page.evaluate("""async () => {
                const link = document.querySelector("link[rel=icon]");
                const response = await fetch(link.href);
                return [link.getAttribute("href"), response.status, response.headers.get("content-type")];
            }""")
            assert icon == ["/favicon.svg", 200, "image/svg+xml"]
            assert missing == []
