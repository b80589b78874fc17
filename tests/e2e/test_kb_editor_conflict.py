"""The knowledge-base editor in a browser, when two editors save the same article: the one whose save is refused
as stale sees each differing field, their unsaved text beside the version saved meanwhile, and chooses "Keep mine"
(saved over the newer version; a third save meanwhile is refused again) or "Use theirs" (after a confirm)."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from knowledge_base import service
from knowledge_base.schema import parse_article
from knowledge_base.versions import Author
from tests.support.kb import article_body
from tests.support.kb_editors import answering_dialogs, conflict_field, save, stored, two_editors

ORIGINAL = article_body()
IRYNA_TITLE = "Delivery price"
IRYNA_ANSWER = "Доставка коштує 80 грн."
PETRO_ANSWER = "Доставка коштує 75 грн, від 1000 грн — безкоштовно."


async def _seed(session) -> None:
    await service.create(session, data=parse_article(ORIGINAL), author=Author(name="seed"))


def _two_editors(backend, settings, session_factory):
    return two_editors(backend, settings, session_factory, _seed)


async def _expect_compared(page: Page, key: str, mine: str, theirs: str, saved_by: str) -> None:
    """The field is listed with the unsaved text beside the saved one, each under its heading."""
    field = conflict_field(page, key)
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
        await save(iryna, 2)

        await petro.fill("#answer", PETRO_ANSWER)
        await petro.click("#save")
        conflict = petro.locator("#conflict")
        await expect(conflict).to_be_visible()
        await expect(petro.locator("#conflict-heading")).to_be_focused()
        await expect(petro.locator("#form-error")).to_contain_text("Not saved")
        # Only the fields that differ: Iryna's title, and the Ukrainian answer both changed.
        await expect(conflict.locator(".conflict-field")).to_have_count(2)
        await _expect_compared(petro, "title", ORIGINAL["title"], IRYNA_TITLE, "Saved meanwhile by Iryna at ")
        await expect(conflict_field(petro, "title").locator("h4")).to_contain_text("changed by Iryna")
        await _expect_compared(petro, "uk.answer", PETRO_ANSWER, IRYNA_ANSWER, "(version 2)")
        await expect(conflict_field(petro, "uk.answer").locator("h4")).to_contain_text("changed by you and Iryna")
        # Nothing of Petro's text is lost, and the form still names the version he started from.
        await expect(petro.locator("#answer")).to_have_value(PETRO_ANSWER)
        await expect(petro.locator("#version-number")).to_have_text("1")

        # Side by side on a wide screen, stacked on a narrow one.
        answer = conflict_field(petro, "uk.answer")
        mine, theirs = answer.locator(".mine"), answer.locator(".theirs")
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
        await expect(answer.locator(".mine .conflict-text")).to_have_text(PETRO_ANSWER + " Edited.")

        # Iryna saves a third time meanwhile: "Keep mine" against version 2 is refused and shows version 3.
        await iryna.fill("#answer", IRYNA_ANSWER + " Знову.")
        await save(iryna, 3)
        await petro.locator("#conflict-retry").focus()
        await petro.keyboard.press("Enter")
        await expect(answer.locator(".theirs .conflict-label")).to_contain_text("(version 3)")
        await expect(answer.locator(".theirs .conflict-text")).to_have_text(IRYNA_ANSWER + " Знову.")
        assert (await stored(petro))["variants"]["uk"]["answer"] == IRYNA_ANSWER + " Знову."

        await petro.locator("#conflict-retry").focus()
        await petro.keyboard.press("Enter")
        await expect(petro.locator("#form-status")).to_have_text("Saved version 4.")
        await expect(conflict).to_be_hidden()
        await expect(petro.locator("#version-number")).to_have_text("4")
        now = await stored(petro)
        assert (now["version"], now["title"]) == (4, IRYNA_TITLE)
        assert now["variants"]["uk"]["answer"] == PETRO_ANSWER + " Edited."
        assert now["variants"]["en"]["answer"] == ORIGINAL["variants"]["en"]["answer"]


@pytest.mark.browser
async def test_use_theirs_asks_then_loads_the_newer_version_and_discards_mine(backend, settings,
                                                                             session_factory) -> None:
    async with _two_editors(backend, settings, session_factory) as (iryna, petro):
        await iryna.click('.lang-tab[data-lang="ru"]')
        await iryna.fill("#answer", "Доставка стоит 80 грн.")
        await save(iryna, 2)

        await petro.click('.lang-tab[data-lang="en"]')
        await petro.fill("#answer", "Delivery costs 75 UAH.")
        await petro.click("#save")
        await expect(petro.locator("#conflict .conflict-field")).to_have_count(2)
        await _expect_compared(petro, "ru.answer", ORIGINAL["variants"]["ru"]["answer"], "Доставка стоит 80 грн.",
                               "Saved meanwhile by Iryna")
        await _expect_compared(petro, "en.answer", "Delivery costs 75 UAH.", ORIGINAL["variants"]["en"]["answer"],
                               "Saved meanwhile by Iryna")

        dialogs = answering_dialogs(petro, [False, True])
        # Cancelled: nothing changes, his text stays and so does the view.
        await petro.locator("#conflict-reload").focus()
        await petro.keyboard.press("Enter")
        await expect(petro.locator("#conflict")).to_be_visible()
        assert dialogs == ["Discard your unsaved text and load version 2, saved by Iryna?"]
        await expect(petro.locator("#answer")).to_have_value("Delivery costs 75 UAH.")

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
        assert (await stored(petro))["version"] == 2  # nothing of his was saved

        # The form is on the newer version now: his next save goes through.
        await petro.fill("#answer", "Доставка стоит 75 грн.")
        await save(petro, 3)
        assert (await stored(petro))["variants"]["ru"]["answer"] == "Доставка стоит 75 грн."
