"""The knowledge-base editor in a browser, on what QA pass B found: no password is left in the sign-in form."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
from playwright.async_api import Page, expect

from core.accounts import create_user
from knowledge_base import service
from knowledge_base.schema import parse_article
from knowledge_base.versions import Author
from nlu.encoder import get_encoder
from tests.conftest import make_settings
from tests.support.browser import launched_chromium
from tests.support.kb import article_body
from tests.support.live_server import LiveServer

EMAIL, PASSWORD = "iryna@shop.ua", "editor-password"
TOPICS = [f"topic-{number:02d}" for number in range(1, 31)]  # more than a screen of list


async def _seed(session_factory) -> None:
    async with session_factory() as session, session.begin():
        await create_user(session, email=EMAIL, password=PASSWORD, role="editor", name="Iryna")
        for slug in TOPICS:
            body = article_body(slug, title=slug.replace("-", " ").capitalize())
            await service.create(session, data=parse_article(body), author=Author(name="seed"))


@asynccontextmanager
async def _editor(backend, settings, session_factory):
    """A live server with the seeded knowledge base, and a page on it; closed however the test ends."""
    await _seed(session_factory)
    get_encoder()  # load the model before the server's start-up clock runs
    with LiveServer(make_settings(backend, redis_prefix=settings.redis_prefix)) as server:
        async with launched_chromium() as browser:
            context = await browser.new_context(viewport={"width": 1366, "height": 768})
            page = await context.new_page()
            errors: list = []
            page.on("pageerror", lambda error: errors.append(error))
            await page.goto(f"{server.url}/kb")
            yield page
            assert errors == []


async def _sign_in(page: Page, password: str = PASSWORD) -> None:
    await page.fill("#login-email", EMAIL)
    await page.fill("#login-password", password)
    await page.click("#login-submit")


async def _signed_in(page: Page) -> None:
    await _sign_in(page)
    await expect(page.locator("#article-list li")).to_have_count(len(TOPICS))


@pytest.mark.browser
async def test_no_password_is_left_in_the_form_after_signing_in_or_out(backend, settings, session_factory) -> None:
    async with _editor(backend, settings, session_factory) as page:
        password = page.locator("#login-password")
        await _sign_in(page, "a-wrong-password")
        await expect(page.locator("#login-error")).to_have_text("Wrong e-mail or password.")
        await expect(password).to_have_value("")

        await _signed_in(page)
        await expect(password).to_have_value("")  # hidden, but still in the page

        await page.click("#logout")
        await expect(page.locator("#login-view")).to_be_visible()
        await expect(page.locator("#login-email")).to_have_value(EMAIL)
        await expect(password).to_have_value("")
        # The next person at this computer cannot sign in with one click: the browser asks for the password.
        await page.click("#login-submit")
        await expect(page.locator("#login-password:invalid")).to_have_count(1)
        await expect(page.locator("#nav")).to_be_hidden()
        assert await page.evaluate("fetch('/api/auth/me').then((r) => r.status)") == 401
