"""Two editors in browsers of their own with the same article open in the KB editor, for the tests where they race.

Iryna and Petro (editors, password :data:`PASSWORD`) each sign in in a chromium context of their own and open
:data:`SLUG`; whatever ``seed`` saved before they open it is the version both are looking at.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager

from playwright.async_api import Page, expect

from core.accounts import create_user
from tests.support.browser import served_with_chromium

PASSWORD = "editor-password"
SLUG = "delivery-cost"
EDITORS = ("iryna@shop.ua", "petro@shop.ua")


@asynccontextmanager
async def two_editors(backend, settings, session_factory, seed: Callable[[object], Awaitable[None]], *,
                      version: int = 1):
    """Yield ``(iryna, petro)``: pages with :data:`SLUG` open at ``version`` after ``seed(session)`` stored it.

    No page may raise a script error meanwhile; both browsers close however the test ends.
    """
    async with session_factory() as session, session.begin():
        for email in EDITORS:
            name = email.split("@")[0].title()
            await create_user(session, email=email, password=PASSWORD, role="editor", name=name)
        await seed(session)
    async with served_with_chromium(backend, settings) as (server, browser):
        errors: list = []
        pages = []
        for email in EDITORS:
            context = await browser.new_context(viewport={"width": 1366, "height": 900})
            page = await context.new_page()
            page.on("pageerror", lambda error: errors.append(error))
            await _sign_in_and_open(page, server.url, email, version)
            pages.append(page)
        yield pages
        assert errors == []


async def _sign_in_and_open(page: Page, base: str, email: str, version: int) -> None:
    await page.goto(f"{base}/kb")
    await page.fill("#login-email", email)
    await page.fill("#login-password", PASSWORD)
    await page.click("#login-submit")
    await page.locator(f'#article-list li[data-slug="{SLUG}"]').click()
    await expect(page.locator("#slug")).to_have_value(SLUG)
    await expect(page.locator("#version-number")).to_have_text(str(version))


async def save(page: Page, version: int) -> None:
    """Press Save and wait until the editor says it saved ``version``."""
    await page.click("#save")
    await expect(page.locator("#form-status")).to_have_text(f"Saved version {version}.")


async def stored(page: Page) -> dict:
    """The article as the API has it now (read with the page's own session)."""
    return await page.evaluate("(slug) => fetch(`/api/articles/${slug}`).then((r) => r.json())", SLUG)


def conflict_field(page: Page, key: str):
    """The conflict view's row for field ``key`` ("title", "uk.answer", ...)."""
    return page.locator(f'#conflict .conflict-field[data-field="{key}"]')


def answering_dialogs(page: Page, answers: list[bool]) -> list[str]:
    """Answer the page's next dialogs in turn (accept or dismiss); the returned list collects their messages."""
    messages: list[str] = []
    pending = list(answers)

    async def answer(dialog) -> None:
        messages.append(dialog.message)
        await (dialog.accept() if pending.pop(0) else dialog.dismiss())

    page.on("dialog", answer)
    return messages
