"""The knowledge-base editor in a browser: an editor edits and publishes an article in /kb, sees the
stale translation and the version diff, tests a question, and a Telegram shopper then gets the new
answer through the Telegram Bot API double."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Page, async_playwright, expect

from core.accounts import create_user
from knowledge_base import service
from knowledge_base.inbox import record_unanswered
from knowledge_base.schema import parse_article
from knowledge_base.versions import Author
from nlu.encoder import get_encoder
from tests.support import telegram_payloads as tp
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.channels import TELEGRAM_WEBHOOK, channel_settings, telegram_headers
from tests.support.kb import article_body
from tests.support.live_server import LiveServer
from tests.support.telegram_double import TelegramDouble

EVIL_TITLE = "Gift wrapping <img src=x onerror=\"document.title='hacked'\">"
NEW_ANSWER = "Так! Подарункове пакування **безкоштовне** до кінця грудня."
GIFT = {
    "uk": {"answer": "Подарункове пакування коштує 50 грн.",
           "questions": ["Чи пакуєте ви подарунки?", "Скільки коштує подарункове пакування?"]},
    "en": {"answer": "Gift wrapping costs 50 UAH.",
           "questions": ["Do you gift wrap?", "How much is gift wrapping?"]},
}
RETURNS = {"uk": {"answer": "Повернення протягом 14 днів.", "questions": ["Як повернути товар?"]},
           "en": {"answer": "Returns within 14 days.", "questions": ["How do I return an item?"]}}


async def _seed(session_factory) -> None:
    async with session_factory() as session, session.begin():
        await create_user(session, email="editor@shop.ua", password="editor-password", role="editor", name="Iryna")
        for body in (article_body(status="published"),
                     article_body("returns", title="Returns", status="published", variants=RETURNS),
                     article_body("gift-wrapping", title=EVIL_TITLE, variants=GIFT)):
            await service.create(session, data=parse_article(body), author=Author(name="seed"))
    await _miss(session_factory, "Do you ship to Poland?", "do you ship to poland??")


async def _miss(session_factory, *texts: str) -> None:
    """Questions the bot could not answer, in English, as the answer step records them."""
    async with session_factory() as session, session.begin():
        for text in texts:
            await record_unanswered(session, text=text, language="en", reason="fallback")


async def _sign_in(page: Page, base: str) -> None:
    await page.goto(f"{base}/kb")
    await expect(page.locator("#nav")).to_be_hidden()  # nothing to navigate before signing in
    await page.fill("#login-email", "editor@shop.ua")
    await page.fill("#login-password", "editor-password")
    await page.click("#login-submit")
    await expect(page.locator("#article-list li")).to_have_count(3)


async def _test_question(page: Page, question: str) -> str:
    await page.fill("#test-question", question)
    await page.click("#test-submit")
    decision = page.locator("#test-decision")
    await expect(decision).to_be_visible(timeout=30_000)  # the first decision warms the engine up
    return await decision.text_content()


@pytest.mark.browser
async def test_editor_publishes_and_a_telegram_shopper_gets_the_new_answer(backend, settings,
                                                                          session_factory) -> None:
    await _seed(session_factory)
    get_encoder()  # load the model before the server's start-up clock runs
    with TelegramDouble() as telegram:
        server_settings = channel_settings(backend, telegram=telegram, redis_prefix=settings.redis_prefix)
        with LiveServer(server_settings) as server:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = await browser.new_page()
                errors: list = []
                page.on("pageerror", lambda error: errors.append(error))
                await _sign_in(page, server.url)

                # The injected title is shown as text, never run.
                gift = page.locator('#article-list li[data-slug="gift-wrapping"]')
                await expect(gift).to_contain_text(EVIL_TITLE)
                assert await page.locator("#article-list img").count() == 0
                await gift.click()
                await expect(page.locator("#status-badge")).to_have_text("draft")

                # A draft is not what the bot answers with.
                before = await _test_question(page, "Чи пакуєте ви подарунки?")
                assert "gift-wrapping" not in before

                # Edit the Ukrainian (source) answer: the English translation becomes stale.
                await page.fill("#answer", NEW_ANSWER)
                await page.click("#save")
                await expect(page.locator("#form-status")).to_have_text("Saved version 2.")
                await expect(gift.locator(".badge.stale")).to_have_text("stale: en")
                await expect(page.locator('.lang-tab[data-lang="en"] .stale-flag')).to_be_visible()

                await page.click("#publish")
                await expect(page.locator("#status-badge")).to_have_text("published")
                after = await _test_question(page, "Чи пакуєте ви подарунки?")
                assert "answer with “gift-wrapping”" in after and "language uk" in after
                await expect(page.locator("#test-result table tr")).not_to_have_count(1)

                # Every save is a version with its diff.
                await expect(page.locator("#versions li")).to_have_count(3)
                update = page.locator('#versions li[data-version="2"]')
                await update.locator(".show-diff").click()
                await expect(update.locator("pre.diff .add")).to_contain_text(NEW_ANSWER)
                assert await page.title() != "hacked"

                # The inbox groups the two ways of asking; the group becomes a draft article.
                await page.click("#show-inbox")
                group = page.locator("#groups li.group")
                await expect(group).to_have_count(1)
                await expect(group.locator(".count")).to_have_text("2×")
                await group.locator(".from-group").click()
                await expect(page.locator('.lang-tab[data-lang="en"]')).to_have_class("lang-tab active")
                await page.fill("#slug", "shipping-abroad")
                await page.fill("#title", "Shipping abroad")
                await page.fill("#answer", "We ship to Poland in 5-7 days.")
                await page.click("#save")
                await expect(page.locator("#status-badge")).to_have_text("draft")
                await expect(page.locator("#questions")).to_have_value(
                    "Do you ship to Poland?\ndo you ship to poland??")
                await expect(page.locator("#inbox-count")).to_have_text("")

                # Two more misses: one is a new wording of the published article, one needs no article.
                await _miss(session_factory, "are gifts wrapped for free", "tell me a joke")
                await page.click("#show-inbox")
                await expect(page.locator("#groups li.group")).to_have_count(2)
                wording = page.locator("#groups li.group", has_text="are gifts wrapped for free")
                await wording.locator(".add-to-article").click()
                await expect(wording.locator(".group-status")).to_have_text("Choose the article first.")
                await wording.locator("select.add-target").select_option("gift-wrapping")
                await wording.locator(".add-to-article").click()
                await expect(page.locator("#inbox-status")).to_contain_text("Added 1 question(s) to “gift-wrapping”")
                joke = page.locator("#groups li.group", has_text="tell me a joke")
                await joke.locator(".dismiss").click()
                await expect(page.locator("#inbox-status")).to_have_text("Dismissed 1 question(s).")
                await expect(page.locator("#groups li.group")).to_have_count(0)
                await page.click("#show-articles")
                await page.locator('#article-list li[data-slug="gift-wrapping"]').click()
                await page.click('.lang-tab[data-lang="en"]')
                await expect(page.locator("#questions")).to_have_value(re.compile("are gifts wrapped for free$"))
                assert errors == []
                await browser.close()

            # A shopper asks on Telegram and the bot answers with the text just published.
            async with httpx.AsyncClient(base_url=server.url) as shopper:
                response = await shopper.post(TELEGRAM_WEBHOOK, headers=telegram_headers(server_settings),
                                              json=tp.text_update("Чи пакуєте ви подарунки?", language_code="uk"))
                assert response.status_code == 200
            await telegram.wait_for_async(lambda: telegram.sent(tp.USER_ID), within=30)
            [sent] = telegram.sent(tp.USER_ID)
            # The article's **bold** goes out as Telegram HTML.
            assert sent["text"] == "Так! Подарункове пакування <b>безкоштовне</b> до кінця грудня."
            assert sent["parse_mode"] == "HTML"
            assert sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "fb:gift-wrapping:up"
