"""Asking a running ``relaydesk serve`` a question through the Telegram double, as a shopper would.

    reply = await ask(node.url, telegram, "How much is delivery?")
"""

from __future__ import annotations

import itertools

import httpx

from tests.support import telegram_payloads as tp
from tests.support.channels import TELEGRAM_WEBHOOK, WEBHOOK_SECRET
from tests.support.telegram_double import TelegramDouble

# A new shopper for every question: one shopper's repeated unanswered questions would hand the
# conversation to a person, and the bot would stop answering it.
_shoppers = itertools.count(8_000_000)


async def ask(url: str, telegram: TelegramDouble, text: str, *, within: float = 30.0) -> str:
    """Send ``text`` by Telegram webhook to the server at ``url``; the text of the bot's first reply."""
    user_id = next(_shoppers)
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{url}{TELEGRAM_WEBHOOK}", json=tp.text_update(text, user_id),
                                     headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
    assert response.status_code == 200, response.text
    await telegram.wait_for_async(lambda: telegram.sent(user_id), within=within)
    return telegram.sent(user_id)[0]["text"]
