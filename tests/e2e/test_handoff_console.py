"""The hand-off story in a real browser against a real server and the Telegram and Viber API doubles.

A Telegram shopper asks for a person → the agent's open console shows it live → the agent reads the
history, including the same customer's earlier Viber conversation → replies → the Telegram double
receives the reply → resolve → the CSAT buttons arrive → the rating is stored.

Linking the Viber and Telegram identities by phone is the customers package's job; here the linked
customer (one Customer with two Identities and a phone) is set up directly in the database.
"""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.async_api import async_playwright, expect
from sqlalchemy import select

from core.models import Conversation, Customer, CustomerPhone, Identity
from tests.support import telegram_payloads as tg
from tests.support import viber_payloads as vb
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.channels import channel_settings, eventually, telegram_headers
from tests.support.handoff import PASSWORD, make_agent, make_team
from tests.support.live_server import LiveServer
from tests.support.telegram_double import TelegramDouble
from tests.support.viber_double import ViberDouble

EARLIER_QUESTION = "Where is my order <b>1042</b>?"


async def _linked_customer(factory) -> None:
    async with factory() as session, session.begin():
        customer = Customer(name="Oksana Petrenko", tags=["regular"])
        session.add(customer)
        await session.flush()
        session.add_all([
            CustomerPhone(customer_id=customer.id, phone="+380501234567", verified=True),
            Identity(customer_id=customer.id, channel="viber", external_id=vb.USER_ID, chat_id=vb.USER_ID),
            Identity(customer_id=customer.id, channel="telegram", external_id=str(tg.USER_ID),
                     chat_id=str(tg.USER_ID)),
        ])


async def _close_conversations(factory) -> None:
    """The Viber conversation happened earlier and is over."""
    async with factory() as session, session.begin():
        for conversation in (await session.scalars(select(Conversation))).all():
            conversation.status = "resolved"


def _markup(params: dict) -> dict:
    markup = params.get("reply_markup") or {}
    return json.loads(markup) if isinstance(markup, str) else markup


@pytest.mark.browser
async def test_shopper_to_agent_and_back_with_rating(backend, settings, session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    await make_agent(session_factory, "olena@shop.ua", team="support", name="Olena")
    await _linked_customer(session_factory)
    with TelegramDouble() as telegram, ViberDouble() as viber:
        server_settings = channel_settings(backend, telegram=telegram, viber=viber,
                                           redis_prefix=settings.redis_prefix)
        with LiveServer(server_settings) as server:
            base = server.url
            async with httpx.AsyncClient(base_url=base, timeout=10) as http:
                raw = vb.encode(vb.message_event(vb.text(EARLIER_QUESTION)))
                answer = await http.post("/webhooks/viber", content=raw,
                                         headers=vb.signed_headers(raw, server_settings.viber_token))
                assert answer.status_code == 200
                await viber.wait_for_async(lambda: len(viber.texts_to(vb.USER_ID)) == 1)
                await _close_conversations(session_factory)

                async with async_playwright() as playwright:
                    browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                               args=CHROMIUM_ARGS)
                    page = await browser.new_page()
                    await page.goto(f"{base}/console")
                    await page.fill("#login-email", "olena@shop.ua")
                    await page.fill("#login-password", PASSWORD)
                    await page.click("#login-submit")
                    await expect(page.locator("#live-state")).to_have_text("live")

                    # The shopper presses "Talk to a person" in Telegram; the queue fills without a reload.
                    pressed = await http.post("/webhooks/telegram", json=tg.callback_update("handoff:request"),
                                              headers=telegram_headers(server_settings))
                    assert pressed.status_code == 200
                    await expect(page.locator("#queue-list li")).to_have_count(1)
                    await telegram.wait_for_async(lambda: any(
                        t.startswith("Connecting you with an agent — you are number 1 in the queue")
                        for t in telegram.texts_to(tg.USER_ID)))

                    # The agent reads the whole story: the earlier Viber question (as text, not HTML),
                    # the hand-off marker with its reason, and the customer card.
                    await page.locator("#queue-list li").first.click()
                    timeline = page.locator("#timeline")
                    await expect(timeline).to_contain_text(EARLIER_QUESTION)
                    await expect(timeline.locator(".badge.viber").first).to_be_visible()
                    await expect(page.locator("[data-testid=event-handoff]")).to_contain_text(
                        "reason: asked for a person")
                    meta = page.locator("#conversation-meta")
                    await expect(meta).to_contain_text("reason: asked for a person")
                    # No placeholder for the absent SLA badge leaks in as text.
                    assert "null" not in await meta.inner_text()
                    await expect(page.locator("#card-name")).to_have_text("Oksana Petrenko")
                    await expect(page.locator("#card-identities")).to_contain_text("viber")
                    await expect(page.locator("#card-identities")).to_contain_text("telegram")
                    await expect(page.locator("#card-facts")).to_contain_text("+380501234567")
                    # Nobody can answer a conversation before taking it: no reply box yet.
                    await expect(page.locator("#reply-form")).to_be_hidden()

                    await page.click("#take")
                    await telegram.wait_for_async(lambda: "Olena has joined." in telegram.texts_to(tg.USER_ID))
                    await expect(page.locator("#mine-list li")).to_have_count(1)
                    await expect(page.locator("#reply-form")).to_be_visible()

                    await page.fill("#reply-text", "Your parcel left the warehouse today.")
                    await page.click("#send")
                    await telegram.wait_for_async(
                        lambda: "Your parcel left the warehouse today." in telegram.texts_to(tg.USER_ID))
                    await expect(page.locator("[data-testid=delivery-status]").last).to_have_text("sent")

                    await page.click("#resolve")
                    await telegram.wait_for_async(lambda: any(
                        "rate our help" in t for t in telegram.texts_to(tg.USER_ID)))
                    # A resolved conversation offers no reply box and no transfer.
                    await expect(page.locator("#conversation-title")).to_contain_text("resolved")
                    for control in ("#reply-form", "#transfer", "#transfer-target"):
                        await expect(page.locator(control)).to_be_hidden()
                    question = telegram.sent(tg.USER_ID)[-1]
                    buttons = [b["callback_data"] for row in _markup(question)["inline_keyboard"] for b in row]
                    assert buttons == ["csat:1", "csat:2", "csat:3", "csat:4", "csat:5"]
                    await browser.close()

                rated = await http.post("/webhooks/telegram", json=tg.callback_update("csat:5"),
                                        headers=telegram_headers(server_settings))
                assert rated.status_code == 200
                await eventually(lambda: _telegram_rating(session_factory))
                await telegram.wait_for_async(
                    lambda: telegram.texts_to(tg.USER_ID)[-1] == "Thank you for your rating!")


async def _telegram_rating(factory) -> bool:
    async with factory() as session:
        scores = (await session.scalars(select(Conversation.csat_score).where(
            Conversation.channel == "telegram"))).all()
        return scores == [5]
