"""Script and HTML payloads through every channel and every staff input, then every staff page in Chromium.

Shoppers write payloads on Telegram (text, first and last name, username), Viber (text, sender name,
signed bodies) and the web chat socket; staff put payloads into a knowledge-base article, a customer
name (``PUT /api/customers/{external_id}``), an agent's private note and reply. The console, the editor
and the analytics page must show all of it as text: no script runs, no dialog opens, no element with an
``on…`` handler or a ``javascript:`` link appears, and the payload text is visible where it belongs.

The CSP already blocks inline scripts, so "window.__xss is undefined" alone would pass even on a page
that inserts HTML; the DOM scan (:data:`INJECTED`) is what catches a page that parses a payload.
"""

from __future__ import annotations

import html
import json
import uuid

import httpx
import pytest
from playwright.async_api import Page, async_playwright, expect
from websockets.asyncio.client import connect

from nlu.encoder import get_encoder
from tests.support import telegram_payloads as tg
from tests.support import viber_payloads as vb
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.channels import channel_settings, eventually, telegram_headers
from tests.support.handoff import PASSWORD, make_agent, make_team, token_for
from tests.support.live_server import LiveServer
from tests.support.telegram_double import TelegramDouble
from tests.support.viber_double import ViberDouble

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1;alert(1)">'
SVG = '"><svg onload=window.__xss=1>'
LINK = '<a href="javascript:alert(1)">track parcel</a>'
PAYLOADS = (SCRIPT, IMG, SVG, LINK)
UNANSWERED = (SCRIPT, IMG, SVG)  # "track parcel" is an order question: the bot answers it, no inbox entry

TG_FIRST, TG_LAST, TG_USERNAME = "<b onmouseover=alert(1)>Taras", "<img src=x onerror=alert(2)>", "<i>handle</i>"
VIBER_NAME = '<svg onload="window.__xss=1">Viber Vasyl'
CUSTOMER_NAME = '<img src=x onerror="window.__xss=1">Oksana'
ARTICLE_TITLE = 'Parcel <img src=x onerror="window.__xss=1"> tracking'
ARTICLE_ANSWER = 'Track it <a href="javascript:alert(1)">here</a> <script>window.__xss=1</script>'
ARTICLE_ANSWER_2 = 'Track it on <svg onload="window.__xss=1"> our site'
LIVE = '<img src=x onerror="window.__xss=1"> sent while the agent watches'
NOTE = '<img src=x onerror="window.__xss=1"> private note'
REPLY = '<script>alert("reply")</script> we are on it'
ASK_FOR_PERSON = "talk to a person"
PHONE = "+380501234567"

# Elements a parsed payload would leave behind; the pages themselves use none of these.
INJECTED = """() => {
  const found = [];
  for (const node of document.querySelectorAll("*")) {
    for (const attribute of node.attributes) {
      if (attribute.name.startsWith("on")) found.push(`${node.tagName} ${attribute.name}`);
      if (/^\\s*javascript:/i.test(attribute.value)) found.push(`${node.tagName} ${attribute.name}=javascript:`);
    }
  }
  for (const script of document.querySelectorAll("script:not([src])")) found.push(`inline ${script.outerHTML}`);
  for (const image of document.querySelectorAll('img[src="x"]')) found.push("IMG src=x");
  return found;
}"""


async def _assert_clean(page: Page, dialogs: list[str]) -> None:
    assert await page.evaluate(INJECTED) == []
    assert await page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []


def _watch_dialogs(page: Page) -> list[str]:
    """Every dialog the page opens (alert, confirm, prompt), dismissed and recorded: none may open."""
    dialogs: list[str] = []

    async def record(dialog) -> None:
        dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", record)
    return dialogs


# The sign-in fields of each page: (e-mail, password, submit).
SIGN_IN = {"/console": ("#login-email", "#login-password", "#login-submit"),
           "/kb": ("#login-email", "#login-password", "#login-submit"),
           "/console/analytics": ("input[name=email]", "input[name=password]", "button[type=submit]")}


async def _open(browser, base: str, path: str, email: str) -> tuple[Page, list[str]]:
    """A fresh page signed in at ``path`` and the list of dialogs it opens."""
    page = await (await browser.new_context()).new_page()
    dialogs = _watch_dialogs(page)
    await page.goto(base + path)
    email_field, password_field, submit = SIGN_IN[path]
    await page.fill(email_field, email)
    await page.fill(password_field, PASSWORD)
    await page.click(submit)
    return page, dialogs


async def _shop_sends_customer(http: httpx.AsyncClient, integration: dict) -> None:
    """The shop's record of the Telegram shopper (joined to the chat when the shopper shares the phone)."""
    shop = await http.put("/api/customers/shop-xss", headers=integration,
                          json={"name": CUSTOMER_NAME, "phones": [PHONE], "emails": [], "tags": [], "orders": []})
    assert shop.status_code in (200, 201), shop.text


async def _shoppers_write(http: httpx.AsyncClient, base: str, settings, visitor: str) -> None:
    """Every payload on every channel, then each shopper asks for a person (the conversation is queued)."""
    linked = await http.post("/webhooks/telegram", json=tg.contact_update(PHONE), headers=telegram_headers(settings))
    assert linked.status_code == 200
    for text in (*PAYLOADS, ASK_FOR_PERSON):
        update = tg.text_update(text)
        update["message"]["from"].update(first_name=TG_FIRST, last_name=TG_LAST, username=TG_USERNAME)
        answer = await http.post("/webhooks/telegram", json=update, headers=telegram_headers(settings))
        assert answer.status_code == 200
        raw = vb.encode(vb.message_event(vb.text(text), name=VIBER_NAME))
        answer = await http.post("/webhooks/viber", content=raw, headers=vb.signed_headers(raw, settings.viber_token))
        assert answer.status_code == 200
    async with connect(f"{base.replace('http', 'ws', 1)}/chat/ws?visitor={visitor}&lang=en") as chat:
        json.loads(await chat.recv())  # the (empty) history
        for number, text in enumerate((*PAYLOADS, ASK_FOR_PERSON)):
            await chat.send(json.dumps({"type": "message", "id": f"c{number}", "text": text}))
            while json.loads(await chat.recv()).get("type") != "accepted":
                pass


async def _staff_write(http: httpx.AsyncClient, tokens: dict[str, dict], queued: dict[str, int]) -> None:
    """An article with two versions; the agent takes the Telegram and web chat conversations, replies in
    both and leaves a private note in the Telegram one."""
    article = {"slug": "parcel-tracking", "title": ARTICLE_TITLE, "tags": ["<b>tag</b>"],
               "variants": {"en": {"answer": ARTICLE_ANSWER, "questions": [ASK_FOR_PERSON, *PAYLOADS]}}}
    created = await http.post("/api/articles", json=article, headers=tokens["editor"])
    assert created.status_code == 201, created.text
    article.update(version=created.json()["version"])
    article["variants"]["en"]["answer"] = ARTICLE_ANSWER_2
    changed = await http.patch("/api/articles/parcel-tracking", json=article, headers=tokens["editor"])
    assert changed.status_code == 200, changed.text
    published = await http.post("/api/articles/parcel-tracking/publish", headers=tokens["editor"])
    assert published.status_code == 200, published.text

    for conversation in (queued["telegram"], queued["webchat"]):
        base = f"/api/conversations/{conversation}"
        assert (await http.post(f"{base}/assign", json={}, headers=tokens["agent"])).status_code == 200
        assert (await http.post(f"{base}/messages", json={"text": REPLY}, headers=tokens["agent"])).status_code == 201
    note = await http.post(f"/api/conversations/{queued['telegram']}/notes", json={"text": NOTE},
                           headers=tokens["agent"])
    assert note.status_code == 201


async def _queued_by_channel(http: httpx.AsyncClient, agent: dict) -> dict[str, int]:
    found = (await http.get("/api/conversations", params={"status": "queued"}, headers=agent)).json()
    return {c["channel"]: c["id"] for c in found}


async def _check_console(browser, base: str, queued: dict[str, int], viber_payload) -> None:
    page, dialogs = await _open(browser, base, "/console", "olena@shop.ua")
    await expect(page.locator("#live-state")).to_have_text("live")
    await expect(page.locator("#queue-list li")).to_have_count(1)
    await expect(page.locator("#mine-list li")).to_have_count(2)
    await _assert_clean(page, dialogs)

    await page.locator(f'#mine-list li[data-id="{queued["telegram"]}"]').click()
    timeline = page.locator("#timeline")
    for text in (*PAYLOADS, REPLY):
        await expect(timeline).to_contain_text(text)
    await expect(page.locator("#card-name")).to_have_text(CUSTOMER_NAME)
    await expect(page.locator("#card-identities")).to_contain_text(TG_FIRST)
    await expect(page.locator("#card-identities")).to_contain_text(TG_LAST)
    await expect(page.locator("#notes")).to_contain_text(NOTE)
    await expect(page.locator("#suggestions")).to_contain_text(ARTICLE_TITLE)
    await page.locator("[data-testid=suggestion]").first.click()  # one click puts the answer in the box
    await expect(page.locator("#reply-text")).not_to_have_value("")
    await _assert_clean(page, dialogs)

    await page.locator(f'#mine-list li[data-id="{queued["webchat"]}"]').click()
    for text in (*PAYLOADS, REPLY):
        await expect(timeline).to_contain_text(text)
    await _assert_clean(page, dialogs)

    await page.locator(f'#queue-list li[data-id="{queued["viber"]}"]').click()
    for text in PAYLOADS:
        await expect(timeline).to_contain_text(text)
    await expect(page.locator("#card-identities")).to_contain_text(VIBER_NAME)
    # A payload arriving while the conversation is open is rendered live, as text as well.
    await viber_payload()
    await expect(timeline).to_contain_text(LIVE)
    await _assert_clean(page, dialogs)


async def _check_chat(browser, base: str, visitor: str) -> None:
    """The shopper's own chat page shows the history (their payloads, the agent's reply and name) as text."""
    context = await browser.new_context()
    await context.add_init_script(f"localStorage.setItem('relaydesk.visitor', '{visitor}')")
    page = await context.new_page()
    dialogs = _watch_dialogs(page)
    await page.goto(f"{base}/chat")
    for text in PAYLOADS:
        await expect(page.locator(".msg.in").filter(has_text=text)).to_have_count(1)
    await expect(page.locator(".msg.out").filter(has_text=REPLY)).to_have_count(1)
    await expect(page.locator(".msg.out").filter(has_text=REPLY).locator(".author")).to_have_text("<i>Olena</i>")
    await _assert_clean(page, dialogs)


async def _check_editor(browser, base: str) -> None:
    page, dialogs = await _open(browser, base, "/kb", "editor@shop.ua")
    entry = page.locator('#article-list li[data-slug="parcel-tracking"]')
    await expect(entry).to_contain_text(ARTICLE_TITLE)
    await entry.click()
    await expect(page.locator("#title")).to_have_value(ARTICLE_TITLE)
    await page.locator('.lang-tab[data-lang="en"]').click()
    await expect(page.locator("#answer")).to_have_value(ARTICLE_ANSWER_2)
    await expect(page.locator("#versions li")).to_have_count(3)
    edit = page.locator('#versions li[data-version="2"]')
    await edit.locator(".show-diff").click()
    await expect(edit.locator("pre.diff")).to_contain_text(ARTICLE_ANSWER_2)
    await expect(edit.locator("pre.diff")).to_contain_text(ARTICLE_ANSWER)
    await _assert_clean(page, dialogs)

    await page.click("#show-inbox")
    groups = page.locator("#groups")
    for text in UNANSWERED:
        await expect(groups).to_contain_text(text)
    await _assert_clean(page, dialogs)


async def _check_analytics(browser, base: str) -> None:
    page, dialogs = await _open(browser, base, "/console/analytics", "taras@shop.ua")
    await page.wait_for_selector("[data-figure=conversations]")
    unanswered = page.locator("[data-table=unanswered]")
    for text in UNANSWERED:
        await expect(unanswered).to_contain_text(text)
    await expect(page.locator("[data-table=agents]")).to_contain_text("<i>Olena</i>")
    await _assert_clean(page, dialogs)


async def test_payloads_from_every_channel_and_staff_input_are_shown_as_text(backend, settings,
                                                                             session_factory) -> None:
    await make_team(session_factory, "support", skills=["general"])
    ids = {"agent": await make_agent(session_factory, "olena@shop.ua", team="support", name="<i>Olena</i>"),
           "editor": await make_agent(session_factory, "editor@shop.ua", role="editor"),
           "supervisor": await make_agent(session_factory, "taras@shop.ua", role="supervisor"),
           "integration": await make_agent(session_factory, "shop@shop.ua", role="integration")}
    tokens = {role: await token_for(session_factory, user_id) for role, user_id in ids.items()}
    get_encoder()  # load the model before the server's start-up clock runs
    with TelegramDouble() as telegram, ViberDouble() as viber:
        server_settings = channel_settings(backend, telegram=telegram, viber=viber, redis_prefix=settings.redis_prefix,
                                           shopper_burst=100)
        with LiveServer(server_settings) as server:
            base = server.url
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                await _shop_sends_customer(http, tokens["integration"])
                visitor = uuid.uuid4().hex
                await _shoppers_write(http, base, server_settings, visitor)

                async def all_queued() -> bool:
                    return set(await _queued_by_channel(http, tokens["agent"])) == {"telegram", "viber", "webchat"}

                await eventually(all_queued, within=30)
                queued = await _queued_by_channel(http, tokens["agent"])
                await _staff_write(http, tokens, queued)
                # parse_mode HTML: the reply reaches Telegram escaped, so the shopper sees the text too.
                await telegram.wait_for_async(lambda: html.escape(REPLY, quote=False) in telegram.texts_to(tg.USER_ID))

            async def viber_payload() -> None:
                raw = vb.encode(vb.message_event(vb.text(LIVE), name=VIBER_NAME))
                async with httpx.AsyncClient(base_url=base) as http:
                    response = await http.post("/webhooks/viber", content=raw,
                                               headers=vb.signed_headers(raw, server_settings.viber_token))
                assert response.status_code == 200

            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    await _check_console(browser, base, queued, viber_payload)
                    await _check_chat(browser, base, visitor)
                    await _check_editor(browser, base)
                    await _check_analytics(browser, base)
                finally:
                    await browser.close()
