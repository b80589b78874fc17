"""The knowledge-base editor in a browser, when an editor's Unpublish, Restore or Publish is refused because another
editor saved the article meanwhile: the same conflict view as a stale save shows who saved what when, each field
that differs between the version the editor was looking at and the current one, and lets them do the action anyway
to the current version (after a confirm) or load the current version instead."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from knowledge_base import service
from knowledge_base.schema import parse_article
from knowledge_base.versions import Author
from tests.support.kb import article_body
from tests.support.kb_editors import answering_dialogs, conflict_field, save, stored, two_editors

ORIGINAL = article_body()
SHIPPING_TITLE = "Shipping price"
PETRO_ANSWER = "Доставка коштує 75 грн, від 1000 грн — безкоштовно."


async def _published(session) -> None:
    await service.create(session, data=parse_article({**ORIGINAL, "status": "published"}), author=Author(name="seed"))


async def _draft_with_a_second_version(session) -> None:
    article = await service.create(session, data=parse_article(ORIGINAL), author=Author(name="seed"))
    await service.update(session, article=article, data=parse_article({**ORIGINAL, "title": SHIPPING_TITLE}),
                         author=Author(name="seed"), expected_version=1)


async def _draft(session) -> None:
    await service.create(session, data=parse_article(ORIGINAL), author=Author(name="seed"))


async def _petro_changes_the_answer(petro: Page, version: int) -> None:
    await petro.fill("#answer", PETRO_ANSWER)
    await save(petro, version)


async def _expect_conflict(page: Page, action: str, seen: int, now: int, answer_before: str) -> None:
    """The view names the refused action and shows Petro's change beside the version the editor was looking at."""
    await expect(page.locator("#conflict")).to_be_visible()
    await expect(page.locator("#conflict-heading")).to_have_text(
        f"{action}: someone else changed this article meanwhile")
    await expect(page.locator("#conflict-heading")).to_be_focused()
    await expect(page.locator("#form-error")).to_have_text(
        f"{action} not done: someone else changed this article meanwhile. Compare and choose above.")
    await expect(page.locator("#conflict-summary")).to_contain_text("Saved meanwhile by Petro at ")
    await expect(page.locator("#conflict-summary")).to_contain_text(f"You were looking at version {seen}")
    await expect(page.locator("#conflict .conflict-field")).to_have_count(1)  # only the answer differs
    field = conflict_field(page, "uk.answer")
    await expect(field.locator("h4")).to_contain_text("changed by Petro")
    await expect(field.locator(".mine .conflict-label")).to_have_text(f"Version {seen}, which you were looking at")
    await expect(field.locator(".mine .conflict-text")).to_have_text(answer_before)
    await expect(field.locator(".theirs .conflict-label")).to_contain_text(f"(version {now})")
    await expect(field.locator(".theirs .conflict-text")).to_have_text(PETRO_ANSWER)
    await expect(page.locator("#conflict-retry")).to_have_text(f"{action} anyway")
    await expect(page.locator("#conflict-reload")).to_have_text(f"Load version {now}")
    await expect(page.locator("#version-number")).to_have_text(str(seen))


@pytest.mark.browser
async def test_unpublish_refused_shows_the_change_then_unpublish_anyway_after_a_confirm(
    backend, settings, session_factory
) -> None:
    async with two_editors(backend, settings, session_factory, _published) as (iryna, petro):
        await _petro_changes_the_answer(petro, 2)

        await iryna.click("#unpublish")
        await _expect_conflict(iryna, "Unpublish", 1, 2, ORIGINAL["variants"]["uk"]["answer"])
        assert (await stored(iryna))["status"] == "published"  # refused: still live

        # Cancelled first: nothing happens; then confirmed: unpublished, Petro's change kept.
        dialogs = answering_dialogs(iryna, [False, True])
        await iryna.click("#conflict-retry")
        await expect(iryna.locator("#conflict")).to_be_visible()
        assert (await stored(iryna))["status"] == "published"
        await iryna.click("#conflict-retry")
        await expect(iryna.locator("#form-status")).to_have_text("Unpublished: the bot no longer answers with it.")
        assert dialogs == ["Unpublish anyway? The article is now version 2, saved by Petro."] * 2
        await expect(iryna.locator("#conflict")).to_be_hidden()
        await expect(iryna.locator("#version-number")).to_have_text("3")
        await expect(iryna.locator("#status-badge")).to_have_text("draft")
        await expect(iryna.locator("#answer")).to_have_value(PETRO_ANSWER)
        now = await stored(iryna)
        assert (now["version"], now["status"], now["variants"]["uk"]["answer"]) == (3, "draft", PETRO_ANSWER)


@pytest.mark.browser
async def test_restore_refused_shows_the_change_then_load_it_and_restore_again(
    backend, settings, session_factory
) -> None:
    async with two_editors(backend, settings, session_factory, _draft_with_a_second_version,
                           version=2) as (iryna, petro):
        await _petro_changes_the_answer(petro, 3)

        await iryna.locator('#versions li[data-version="1"] .restore').click()
        await _expect_conflict(iryna, "Restore version 1", 2, 3, ORIGINAL["variants"]["uk"]["answer"])
        assert (await stored(iryna))["version"] == 3  # refused: nothing restored

        # Loading the current version needs no confirm (nothing unsaved) and does nothing to the article.
        dialogs = answering_dialogs(iryna, [])
        await iryna.click("#conflict-reload")
        await expect(iryna.locator("#conflict")).to_be_hidden()
        await expect(iryna.locator("#form-status")).to_have_text("Loaded version 3 by Petro; nothing was done.")
        await expect(iryna.locator("#version-number")).to_have_text("3")
        await expect(iryna.locator("#answer")).to_have_value(PETRO_ANSWER)
        assert dialogs == []
        assert (await stored(iryna))["version"] == 3

        # Having seen Petro's change, she restores version 1 again: it goes through over version 3.
        await iryna.locator('#versions li[data-version="1"] .restore').click()
        await expect(iryna.locator("#form-status")).to_have_text("Restored version 1 as a new version.")
        await expect(iryna.locator("#version-number")).to_have_text("4")
        await expect(iryna.locator("#title")).to_have_value(ORIGINAL["title"])
        await expect(iryna.locator("#answer")).to_have_value(ORIGINAL["variants"]["uk"]["answer"])
        now = await stored(iryna)
        assert (now["version"], now["title"]) == (4, ORIGINAL["title"])
        assert now["variants"]["uk"]["answer"] == ORIGINAL["variants"]["uk"]["answer"]


@pytest.mark.browser
async def test_publish_refused_shows_the_change_then_publish_anyway(backend, settings, session_factory) -> None:
    """Before, Publish sent no version: Petro's unseen change went live under Iryna's name."""
    async with two_editors(backend, settings, session_factory, _draft) as (iryna, petro):
        await _petro_changes_the_answer(petro, 2)

        await iryna.click("#publish")
        await _expect_conflict(iryna, "Publish", 1, 2, ORIGINAL["variants"]["uk"]["answer"])
        assert (await stored(iryna))["status"] == "draft"  # refused: nothing went live

        dialogs = answering_dialogs(iryna, [True])
        await iryna.click("#conflict-retry")
        await expect(iryna.locator("#form-status")).to_have_text("Published: the bot answers with it now.")
        assert dialogs == ["Publish anyway? The article is now version 2, saved by Petro."]
        await expect(iryna.locator("#version-number")).to_have_text("3")
        await expect(iryna.locator("#status-badge")).to_have_text("published")
        now = await stored(iryna)
        assert (now["version"], now["status"], now["variants"]["uk"]["answer"]) == (3, "published", PETRO_ANSWER)
