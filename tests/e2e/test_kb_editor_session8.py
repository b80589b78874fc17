"""The knowledge-base editor in a browser, on what QA pass B found: no password is left in the sign-in form,
unsaved edits are not lost to a reload, closing the tab or signing out without asking, the article list works
from the keyboard, and an article opened far down the list is shown, not left off-screen."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import pytest
from playwright.async_api import Page, expect

from core.accounts import create_user
from knowledge_base import service
from knowledge_base.schema import parse_article
from knowledge_base.versions import Author
from tests.support.browser import served_with_chromium
from tests.support.kb import article_body

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
    async with served_with_chromium(backend, settings) as (server, browser):
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


def _item(page: Page, slug: str):
    return page.locator(f'#article-list li[data-slug="{slug}"]')


async def _opened(page: Page, slug: str) -> None:
    """Wait until the form shows the article and the list is drawn again with it selected."""
    await expect(page.locator("#slug")).to_have_value(slug)
    await expect(page.locator(f'#article-list li.selected[data-slug="{slug}"]')).to_have_count(1)


async def _edit_answer(page: Page, slug: str) -> None:
    """Open the article and type into its answer with real clicks and keys (a page the person never touched
    may be left without asking, so the browser would show no prompt)."""
    await _item(page, slug).click()
    await _opened(page, slug)
    await page.click("#answer")
    await page.keyboard.press("End")
    await page.keyboard.type(" Оновлено.")


class _Dialogs:
    """The page's dialogs as they open, each answered with ``accept`` (accept, or dismiss: stay)."""

    def __init__(self, page: Page) -> None:
        self.accept = True
        self._opened: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        page.on("dialog", self._answer)

    async def _answer(self, dialog) -> None:
        self._opened.put_nowait((dialog.type, dialog.message))
        await (dialog.accept() if self.accept else dialog.dismiss())

    async def next(self) -> tuple[str, str]:
        """The next dialog's type and message (waiting for it)."""
        return await asyncio.wait_for(self._opened.get(), 10)

    def none_left(self) -> bool:
        return self._opened.empty()


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


@pytest.mark.browser
async def test_a_reload_or_closing_the_tab_asks_while_edits_are_unsaved_and_not_once_saved(
        backend, settings, session_factory) -> None:
    async with _editor(backend, settings, session_factory) as page:
        await _signed_in(page)
        dialogs = _Dialogs(page)

        # A reload with unsaved edits asks first; the editor lets it go, and the edits are gone knowingly.
        await _edit_answer(page, "topic-01")
        await page.reload()
        assert (await dialogs.next())[0] == "beforeunload"
        await expect(page.locator("#article-list li")).to_have_count(len(TOPICS))
        await expect(page.locator("#article-form")).to_be_hidden()

        # Closing the tab asks too; staying keeps the page and the edits.
        await _edit_answer(page, "topic-02")
        dialogs.accept = False
        await page.close(run_before_unload=True)
        assert (await dialogs.next())[0] == "beforeunload"
        await expect(page.locator("#answer")).to_have_value(f"{article_body()['variants']['uk']['answer']} Оновлено.")
        assert not page.is_closed()

        # Saved, nothing is at stake: the page goes without a prompt.
        await page.click("#save")
        await expect(page.locator("#form-status")).to_have_text("Saved version 2.")
        await page.reload()
        await expect(page.locator("#article-list li")).to_have_count(len(TOPICS))
        assert dialogs.none_left()


@pytest.mark.browser
async def test_signing_out_with_unsaved_edits_asks_first(backend, settings, session_factory) -> None:
    async with _editor(backend, settings, session_factory) as page:
        await _signed_in(page)
        dialogs = _Dialogs(page)
        await _edit_answer(page, "topic-01")
        edited = await page.locator("#answer").input_value()

        # Declining keeps the editor signed in with the edits on screen.
        dialogs.accept = False
        await page.click("#logout")
        kind, message = await dialogs.next()
        assert kind == "confirm" and "unsaved" in message
        await expect(page.locator("#nav")).to_be_visible()
        await expect(page.locator("#answer")).to_have_value(edited)
        assert await page.evaluate("fetch('/api/auth/me').then((r) => r.status)") == 200

        # Accepting signs out and gives the edits up: the next one to sign in starts from the list, and
        # leaving the page no longer asks.
        dialogs.accept = True
        await page.click("#logout")
        assert (await dialogs.next())[0] == "confirm"
        await expect(page.locator("#login-view")).to_be_visible()
        await page.reload()
        await expect(page.locator("#login-view")).to_be_visible()
        assert dialogs.none_left()
        await _signed_in(page)
        await expect(page.locator("#article-form")).to_be_hidden()


@pytest.mark.browser
async def test_the_article_list_opens_from_the_keyboard_and_shows_the_form(backend, settings, session_factory) -> None:
    async with _editor(backend, settings, session_factory) as page:
        await _signed_in(page)
        # From the search box, Tab goes through the filter and New article to the first article.
        await page.click("#article-search")
        for _ in range(3):
            await page.keyboard.press("Tab")
        await expect(_item(page, "topic-01").get_by_role("button")).to_be_focused()
        await page.keyboard.press("Enter")
        await _opened(page, "topic-01")
        await expect(page.locator("#slug")).to_be_focused()

        # Back from the form is the last article, far down the list: Space opens it, and the form is on screen.
        await page.keyboard.press("Shift+Tab")
        await expect(_item(page, TOPICS[-1]).get_by_role("button")).to_be_focused()
        await expect(page.locator("#article-form")).not_to_be_in_viewport()
        await page.keyboard.press(" ")
        await _opened(page, TOPICS[-1])
        await expect(page.locator("#slug")).to_be_focused()
        await expect(page.locator("#slug")).to_be_in_viewport()


@pytest.mark.browser
async def test_an_article_clicked_far_down_the_list_is_shown(backend, settings, session_factory) -> None:
    async with _editor(backend, settings, session_factory) as page:
        await _signed_in(page)
        # Near the top, opening it leaves the page where it is: the header stays in view.
        await _item(page, "topic-01").click()
        await _opened(page, "topic-01")
        await expect(page.locator("#logout")).to_be_in_viewport()

        last = _item(page, TOPICS[-1])
        await last.scroll_into_view_if_needed()
        await expect(page.locator("#article-form")).not_to_be_in_viewport()
        await last.click()
        await _opened(page, TOPICS[-1])
        for field in ("#slug", "#title", "#answer"):
            await expect(page.locator(field)).to_be_in_viewport()
