"""The knowledge-base editor in a browser, when two editors save the same article: the one whose save is refused
as stale sees each differing field, their unsaved text beside the version saved meanwhile, and chooses "Keep mine"
(saved over the newer version; a third save meanwhile is refused again) or "Use theirs" (after a confirm)."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
from playwright.async_api import Page, expect

from core.accounts import create_user
from knowledge_base import service
from knowledge_base.schema import parse_article
from knowledge_base.versions import Author
from tests.support.browser import served_with_chromium
from tests.support.kb import article_body

PASSWORD = "editor-password"
SLUG = "delivery-cost"
ORIGINAL = article_body()
IRYNA_TITLE = "Delivery price"
IRYNA_ANSWER = "Доставка коштує 80 грн."
PETRO_ANSWER = "Доставка коштує 75 грн, від 1000 грн — безкоштовно."


async def _seed(session_factory) -> None:
    async with session_factory() as session, session.begin():
        await create_user(session, email="iryna@shop.ua", password=PASSWORD, role="editor", name="Iryna")
        await create_user(session, email="petro@shop.ua", password=PASSWORD, role="editor", name="Petro")
        await service.create(session, data=parse_article(ORIGINAL), author=Author(name="seed"))


@asynccontextmanager
async def _two_editors(backend, settings, session_factory):
    """Iryna and Petro, each signed in in a browser of their own with the article open; closed however it ends."""
    await _seed(session_factory)
    async with served_with_chromium(backend, settings) as (server, browser):
        errors: list = []
        pages = []
        for email in ("iryna@shop.ua", "petro@shop.ua"):
            context = await browser.new_context(viewport={"width": 1366, "height": 900})
            page = await context.new_page()
            page.on("pageerror", lambda error: errors.append(error))
            await _sign_in_and_open(page, server.url, email)
            pages.append(page)
        yield pages
        assert errors == []


async def _sign_in_and_open(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/kb")
    await page.fill("#login-email", email)
    await page.fill("#login-password", PASSWORD)
    await page.click("#login-submit")
    await page.locator(f'#article-list li[data-slug="{SLUG}"]').click()
    await expect(page.locator("#slug")).to_have_value(SLUG)
    await expect(page.locator("#version-number")).to_have_text("1")


async def _save(page: Page, version: int) -> None:
    await page.click("#save")
    await expect(page.locator("#form-status")).to_have_text(f"Saved version {version}.")


async def _stored(page: Page) -> dict:
    """The article as the API has it now (read with the page's own session)."""
    return await page.evaluate("(slug) => fetch(`/api/articles/${slug}`).then((r) => r.json())", SLUG)


def _field(page: Page, key: str):
    return page.locator(f'#conflict .conflict-field[data-field="{key}"]')


async def _expect_compared(page: Page, key: str, mine: str, theirs: str, saved_by: str) -> None:
    """The field is listed with the unsaved text beside the saved one, each under its heading."""
    field = _field(page, key)
    await expect(field.locator(".mine .conflict-label")).to_have_text("Your unsaved text")
    await expect(field.locator(".mine .conflict-text")).to_have_text(mine)
    await expect(field.locator(".theirs .conflict-label")).to_contain_text(saved_by)
    await expect(field.locator(".theirs .conflict-text")).to_have_text(theirs)


@pytest.mark.browser
async def test_keep_mine_saves_my_text_over_the_newer_version_and_a_third_save_is_refused_again(
    backend, settings, session_factory
) -> None:
    async with _two_editors(backend, settings, session_factory) as (iryna, petro):
        await iryna.fill("#title", IRYNA_TITLE)
        await iryna.fill("#answer", IRYNA_ANSWER)
        await _save(iryna, 2)

        await petro.fill("#answer", PETRO_ANSWER)
        await petro.click("#save")
        conflict = petro.locator("#conflict")
        await expect(conflict).to_be_visible()
        await expect(petro.locator("#conflict-heading")).to_be_focused()
        await expect(petro.locator("#form-error")).to_contain_text("Not saved")
        # Only the fields that differ: Iryna's title, and the Ukrainian answer both changed.
        await expect(conflict.locator(".conflict-field")).to_have_count(2)
        await _expect_compared(petro, "title", ORIGINAL["title"], IRYNA_TITLE, "Saved meanwhile by Iryna at ")
        await expect(_field(petro, "title").locator("h4")).to_contain_text("changed by Iryna")
        await _expect_compared(petro, "uk.answer", PETRO_ANSWER, IRYNA_ANSWER, "(version 2)")
        await expect(_field(petro, "uk.answer").locator("h4")).to_contain_text("changed by you and Iryna")
        # Nothing of Petro's text is lost, and the form still names the version he started from.
        await expect(petro.locator("#answer")).to_have_value(PETRO_ANSWER)
        await expect(petro.locator("#version-number")).to_have_text("1")

        # Side by side on a wide screen, stacked on a narrow one.
        mine, theirs = _field(petro, "uk.answer").locator(".mine"), _field(petro, "uk.answer").locator(".theirs")
        wide = [await mine.bounding_box(), await theirs.bounding_box()]
        assert wide[0]["y"] == wide[1]["y"] and wide[0]["x"] < wide[1]["x"]
        await petro.set_viewport_size({"width": 760, "height": 900})
        narrow = [await mine.bounding_box(), await theirs.bounding_box()]
        assert narrow[0]["x"] == narrow[1]["x"] and narrow[0]["y"] < narrow[1]["y"]
        await petro.set_viewport_size({"width": 1366, "height": 900})

        # He edits further: the view stays and compares his new text; equal fields drop out.
        await petro.fill("#title", IRYNA_TITLE)
        await petro.fill("#answer", PETRO_ANSWER + " Edited.")
        await expect(conflict.locator(".conflict-field")).to_have_count(1)
        await expect(_field(petro, "uk.answer").locator(".mine .conflict-text")).to_have_text(PETRO_ANSWER + " Edited.")

        # Iryna saves a third time meanwhile: "Keep mine" against version 2 is refused and shows version 3.
        await iryna.fill("#answer", IRYNA_ANSWER + " Знову.")
        await _save(iryna, 3)
        await petro.locator("#keep-mine").focus()
        await petro.keyboard.press("Enter")
        await expect(_field(petro, "uk.answer").locator(".theirs .conflict-label")).to_contain_text("(version 3)")
        await expect(_field(petro, "uk.answer").locator(".theirs .conflict-text")).to_have_text(
            IRYNA_ANSWER + " Знову.")
        assert (await _stored(petro))["variants"]["uk"]["answer"] == IRYNA_ANSWER + " Знову."

        await petro.locator("#keep-mine").focus()
        await petro.keyboard.press("Enter")
        await expect(petro.locator("#form-status")).to_have_text("Saved version 4.")
        await expect(conflict).to_be_hidden()
        await expect(petro.locator("#version-number")).to_have_text("4")
        stored = await _stored(petro)
        assert (stored["version"], stored["title"]) == (4, IRYNA_TITLE)
        assert stored["variants"]["uk"]["answer"] == PETRO_ANSWER + " Edited."
        assert stored["variants"]["en"]["answer"] == ORIGINAL["variants"]["en"]["answer"]


@pytest.mark.browser
async def test_use_theirs_asks_then_loads_the_newer_version_and_discards_mine(backend, settings,
                                                                             session_factory) -> None:
    async with _two_editors(backend, settings, session_factory) as (iryna, petro):
        await iryna.click('.lang-tab[data-lang="ru"]')
        await iryna.fill("#answer", "Доставка стоит 80 грн.")
        await _save(iryna, 2)

        await petro.click('.lang-tab[data-lang="en"]')
        await petro.fill("#answer", "Delivery costs 75 UAH.")
        await petro.click("#save")
        await expect(petro.locator("#conflict .conflict-field")).to_have_count(2)
        await _expect_compared(petro, "ru.answer", ORIGINAL["variants"]["ru"]["answer"], "Доставка стоит 80 грн.",
                               "Saved meanwhile by Iryna")
        await _expect_compared(petro, "en.answer", "Delivery costs 75 UAH.", ORIGINAL["variants"]["en"]["answer"],
                               "Saved meanwhile by Iryna")

        dialogs: list[str] = []

        async def answer(dialog, accept: bool) -> None:
            dialogs.append(dialog.message)
            await (dialog.accept() if accept else dialog.dismiss())

        # Cancelled: nothing changes, his text stays and so does the view.
        petro.once("dialog", lambda dialog: answer(dialog, False))
        await petro.locator("#use-theirs").focus()
        await petro.keyboard.press("Enter")
        await expect(petro.locator("#conflict")).to_be_visible()
        assert dialogs == ["Discard your unsaved text and load version 2, saved by Iryna?"]
        await expect(petro.locator("#answer")).to_have_value("Delivery costs 75 UAH.")

        petro.once("dialog", lambda dialog: answer(dialog, True))
        await petro.keyboard.press("Enter")
        await expect(petro.locator("#conflict")).to_be_hidden()
        await expect(petro.locator("#form-status")).to_have_text(
            "Loaded version 2 by Iryna; your text was discarded.")
        await expect(petro.locator("#version-number")).to_have_text("2")
        await petro.click('.lang-tab[data-lang="en"]')
        await expect(petro.locator("#answer")).to_have_value(ORIGINAL["variants"]["en"]["answer"])
        await petro.click('.lang-tab[data-lang="ru"]')
        await expect(petro.locator("#answer")).to_have_value("Доставка стоит 80 грн.")
        assert len(dialogs) == 2
        assert (await _stored(petro))["version"] == 2  # nothing of his was saved

        # The form is on the newer version now: his next save goes through.
        await petro.fill("#answer", "Доставка стоит 75 грн.")
        await _save(petro, 3)
        assert (await _stored(petro))["variants"]["ru"]["answer"] == "Доставка стоит 75 грн."
