"""Launching Debian's chromium headless for Playwright tests (never ``playwright install``)."""

from contextlib import asynccontextmanager

from nlu.encoder import get_encoder
from tests.conftest import make_settings
from tests.support.live_server import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


async def sign_in_console(page, base: str, email: str, password: str) -> None:
    """Sign in on the console's form and wait until its live connection is up."""
    from playwright.async_api import expect  # only browser tests import playwright

    await page.goto(f"{base}/console")
    await page.fill("#login-email", email)
    await page.fill("#login-password", password)
    await page.click("#login-submit")
    await expect(page.locator("#live-state")).to_have_text("live")


@asynccontextmanager
async def launched_chromium():
    """A headless chromium for one test, closed however the test ends."""
    from playwright.async_api import async_playwright  # only browser tests import playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def served_with_chromium(backend, settings):
    """The app served live on the test's database and Redis prefix, and a headless chromium; both closed
    however the test ends. Yields ``(server, browser)``."""
    get_encoder()  # load the model before the server's start-up clock runs
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            yield server, browser


async def live_frame(page, topic: str, event: dict) -> None:
    """Hand the console's live socket a ``{"topic", "event"}`` frame as the server sends one.

    For events the test's own flow publishes on a bus no browser listens to (and the SLA worker's).
    """
    import json

    frame = json.dumps({"topic": topic, "event": event})
    await page.evaluate("(data) => state.socket.dispatchEvent(new MessageEvent('message', { data }))", frame)
