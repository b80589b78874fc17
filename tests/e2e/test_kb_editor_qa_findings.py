"""The knowledge-base editor in a browser, on what QA found: nothing an editor typed is lost silently (Publish
with unsaved edits, an article from an inbox group with another language tab open, the server down, another
account signed in in the same browser), the search list draws only the latest query, and each error is
shown once."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import pytest
from playwright.async_api import Page, expect

from core.accounts import create_user
from knowledge_base import service
from knowledge_base.inbox import record_unanswered
from knowledge_base.schema import parse_article
from knowledge_base.versions import Author
from tests.support.browser import served_with_chromium
from tests.support.kb import article_body

PASSWORD = "editor-password"
RETURNS = {"uk": {"answer": "Повернення протягом 14 днів.", "questions": ["Як повернути товар?"]}}
NO_QUESTIONS = {"uk": {"answer": "Розмірна сітка є на сторінці товару.", "questions": []}}
POLAND = ["Чи доставляєте ви в Польщу?", "доставка в польщу є?"]


async def _seed(session_factory) -> None:
    async with session_factory() as session, session.begin():
        await create_user(session, email="iryna@shop.ua", password=PASSWORD, role="editor", name="Iryna")
        await create_user(session, email="petro@shop.ua", password=PASSWORD, role="editor", name="Petro")
        for body in (article_body(), article_body("returns", title="Returns", status="published", variants=RETURNS),
                     article_body("sizes", title="Sizes", variants=NO_QUESTIONS)):
            await service.create(session, data=parse_article(body), author=Author(name="seed"))
        for text in POLAND:
            await record_unanswered(session, text=text, language="uk", reason="fallback")


@asynccontextmanager
async def _editor(backend, settings, session_factory):
    """A live server with the seeded knowledge base, and a browser context; closed however the test ends."""
    await _seed(session_factory)
    async with served_with_chromium(backend, settings) as (server, browser):
        yield server, await browser.new_context()


async def _sign_in(page: Page, base: str, email: str = "iryna@shop.ua") -> list:
    """Sign in on /kb; the list of uncaught page errors, filled as they happen."""
    errors: list = []
    page.on("pageerror", lambda error: errors.append(error))
    await page.goto(f"{base}/kb")
    await page.fill("#login-email", email)
    await page.fill("#login-password", PASSWORD)
    await page.click("#login-submit")
    await expect(page.locator("#article-list li")).to_have_count(3)
    return errors


async def _open(page: Page, slug: str) -> None:
    await page.locator(f'#article-list li[data-slug="{slug}"]').click()
    await expect(page.locator("#slug")).to_have_value(slug)


async def _stored(page: Page, slug: str) -> dict:
    """The article as the API has it now (read with the page's own session)."""
    return await page.evaluate("(slug) => fetch(`/api/articles/${slug}`).then((r) => r.json())", slug)


@pytest.mark.browser
async def test_publish_saves_pending_edits_and_leaving_them_asks_first(backend, settings, session_factory) -> None:
    async with _editor(backend, settings, session_factory) as (server, context):
        page = await context.new_page()
        errors = await _sign_in(page, server.url)
        await _open(page, "delivery-cost")
        await page.fill("#title", "Delivery price")
        await page.fill("#answer", "Доставка коштує 80 грн.")

        # Publish without Save: what the editor sees is what goes live, and the form keeps it.
        await page.click("#publish")
        await expect(page.locator("#status-badge")).to_have_text("published")
        await expect(page.locator("#title")).to_have_value("Delivery price")
        await expect(page.locator("#answer")).to_have_value("Доставка коштує 80 грн.")
        stored = await _stored(page, "delivery-cost")
        assert (stored["status"], stored["title"]) == ("published", "Delivery price")
        assert stored["variants"]["uk"]["answer"] == "Доставка коштує 80 грн."

        # Picking another article with unsaved edits asks; declining keeps the edit on screen.
        await page.fill("#title", "Delivery prices")
        asked: list[str] = []

        async def decline(dialog) -> None:
            asked.append(dialog.message)
            await dialog.dismiss()

        page.once("dialog", decline)
        await page.locator('#article-list li[data-slug="returns"]').click()
        await expect(page.locator("#slug")).to_have_value("delivery-cost")
        await expect(page.locator("#title")).to_have_value("Delivery prices")
        assert asked and "unsaved" in asked[0]

        # Unpublishing with unsaved edits asks too; accepting it drops them knowingly.
        page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        await page.click("#unpublish")
        await expect(page.locator("#status-badge")).to_have_text("draft")
        await expect(page.locator("#title")).to_have_value("Delivery price")
        assert errors == []


@pytest.mark.browser
async def test_an_article_from_a_group_keeps_its_questions_in_the_groups_language(
        backend, settings, session_factory) -> None:
    async with _editor(backend, settings, session_factory) as (server, context):
        page = await context.new_page()
        errors = await _sign_in(page, server.url)
        await page.click("#show-inbox")
        await page.locator("#groups li.group .from-group").click()

        # One variant, the group's: other language tabs (whose text would not be saved) are not offered.
        await expect(page.locator('.lang-tab[data-lang="uk"]')).to_have_class("lang-tab active")
        await expect(page.locator('.lang-tab[data-lang="ru"]')).to_be_hidden()
        await expect(page.locator('.lang-tab[data-lang="en"]')).to_be_hidden()
        await page.fill("#slug", "shipping-to-poland")
        await page.fill("#title", "Shipping to Poland")
        await page.fill("#answer", "Так, доставляємо в Польщу за 5–7 днів.")
        await page.click("#save")
        await expect(page.locator("#form-status")).to_have_text("Saved version 1.")

        stored = await _stored(page, "shipping-to-poland")
        assert list(stored["variants"]) == ["uk"]
        assert stored["variants"]["uk"]["answer"] == "Так, доставляємо в Польщу за 5–7 днів."
        assert sorted(stored["variants"]["uk"]["questions"]) == sorted(POLAND)

        # Saved, it is an ordinary article: every language can be added and its questions edited.
        await expect(page.locator('.lang-tab[data-lang="ru"]')).to_be_visible()
        await page.click('.lang-tab[data-lang="ru"]')
        await expect(page.locator("#questions")).to_be_enabled()
        assert errors == []


@pytest.mark.browser
async def test_saving_with_the_server_unreachable_says_so_and_keeps_the_form(
        backend, settings, session_factory) -> None:
    async with _editor(backend, settings, session_factory) as (server, context):
        page = await context.new_page()
        errors = await _sign_in(page, server.url)
        await _open(page, "delivery-cost")
        await page.fill("#answer", "Доставка коштує 80 грн.")
        await page.route("**/api/**", lambda route: route.abort())
        await page.click("#save")
        await expect(page.locator("#form-error")).to_have_text("Could not reach the server; nothing was saved.")
        await expect(page.locator("#answer")).to_have_value("Доставка коштує 80 грн.")
        assert errors == []


@pytest.mark.browser
async def test_another_account_signing_in_is_named_the_form_kept_and_saving_goes_on_after_signing_in(
        backend, settings, session_factory) -> None:
    async with _editor(backend, settings, session_factory) as (server, context):
        first, second = await context.new_page(), await context.new_page()
        errors = await _sign_in(first, server.url)
        await _open(first, "delivery-cost")
        await first.fill("#title", "Delivery price")

        await second.goto(f"{server.url}/kb")
        await second.click("#logout")
        await expect(second.locator("#login-view")).to_be_visible()  # signed out before the page is left
        await _sign_in(second, server.url, "petro@shop.ua")

        await first.click("#save")
        await expect(first.locator("#form-error")).to_contain_text(
            "Another account (Petro, petro@shop.ua) signed in in this browser")
        switched = first.locator("#account-switched")
        await expect(switched).to_be_visible()
        await expect(first.locator("#title")).to_have_value("Delivery price")
        assert (await _stored(second, "delivery-cost"))["title"] == "Delivery cost"

        await first.click("#account-sign-in-again")
        await expect(first.locator("#login-email")).to_have_value("iryna@shop.ua")
        await first.fill("#login-password", PASSWORD)
        await first.click("#login-submit")
        await expect(switched).to_be_hidden()
        await expect(first.locator("#title")).to_have_value("Delivery price")
        await first.click("#save")
        await expect(first.locator("#form-status")).to_have_text("Saved version 2.")
        stored = await _stored(first, "delivery-cost")
        assert stored["title"] == "Delivery price"
        assert [v["author_name"] for v in await first.evaluate(
            "fetch('/api/articles/delivery-cost/versions').then((r) => r.json())")][0] == "Iryna"
        assert errors == []


@pytest.mark.browser
async def test_the_list_shows_the_latest_search_even_when_an_earlier_answer_comes_last(
        backend, settings, session_factory) -> None:
    async with _editor(backend, settings, session_factory) as (server, context):
        page = await context.new_page()
        await _sign_in(page, server.url)
        late = asyncio.Event()

        async def slow_for_ret(route) -> None:
            if "q=ret" in route.request.url:
                await asyncio.sleep(1.5)
                late.set()
            await route.continue_()

        await page.route(lambda url: "/api/articles?" in url, slow_for_ret)
        await page.fill("#article-search", "ret")
        await page.fill("#article-search", "deliv")
        await expect(page.locator("#article-list li")).to_have_count(1)
        await asyncio.wait_for(late.wait(), 10)
        await asyncio.sleep(0.5)  # the late answer has reached the page
        await expect(page.locator("#article-list li")).to_have_count(1)
        await expect(page.locator("#article-list li")).to_have_attribute("data-slug", "delivery-cost")


@pytest.mark.browser
async def test_a_refused_publish_names_each_problem_once(backend, settings, session_factory) -> None:
    async with _editor(backend, settings, session_factory) as (server, context):
        page = await context.new_page()
        await _sign_in(page, server.url)
        await _open(page, "sizes")
        await page.click("#publish")
        error = page.locator("#form-error")
        await expect(error).to_contain_text("variants.uk.questions")
        assert (await error.text_content()).count("variants.uk.questions") == 1
