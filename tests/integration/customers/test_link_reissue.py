"""Every shop link the API issues is a new one, so the shop can replace a link someone else used.

Regression (QA, F12): ``GET /api/customers/{external_id}/link`` gave the same token all day (customer
id, day and signature), while "used" is kept per token: when the first link reached the wrong
account, or the shopper changed Telegram accounts, the shop could only send the used link again.
"""

import base64
import hashlib
import hmac
import re

import pytest
from litestar.testing import AsyncTestClient

from core.database import utcnow
from tests.support import telegram_payloads as tg
from tests.support.channels import channel_settings, eventually, post_telegram
from tests.support.customers import OKSANA, role_headers
from tests.support.telegram_double import TelegramDouble
from web.app import create_app

FIRST_OWN, WRONG, NEW_OWN, OLD_LINK, OLD_EXPIRED = 96000001, 96000002, 96000003, 96000004, 96000005


def _token_issued_before_nonces(customer_id: int, secret_key: str, days_ago: int = 0) -> str:
    """A link token as the API issued it before nonces: ``<id>_<day>_<HMAC of link:<id>:<day>>``."""
    day = int(utcnow().timestamp()) // 86_400 - days_ago
    digest = hmac.new(secret_key.encode(), f"link:{customer_id}:{day}".encode(), hashlib.sha256).digest()
    return f"{customer_id}_{day}_{base64.urlsafe_b64encode(digest[:16]).decode().rstrip('=')}"


@pytest.fixture
async def shop(backend, session_factory):
    """The app on a Telegram double with shop-1 pushed; yields a function opening a start link as a user."""
    with TelegramDouble() as telegram:
        headers = await role_headers(session_factory, "integration", "agent")
        settings = channel_settings(backend, telegram=telegram)
        async with AsyncTestClient(app=create_app(settings)) as client:
            pushed = await client.put("/api/customers/shop-1", headers=headers["integration"],
                                      json={k: v for k, v in OKSANA.items() if k != "external_id"})
            assert pushed.status_code == 200, pushed.text

            async def open_link(token: str, user_id: int) -> str:
                before = len(telegram.texts_to(user_id))
                await post_telegram(client, settings, tg.start_update(token, user_id=user_id))
                await eventually(lambda: len(telegram.texts_to(user_id)) > before)
                return telegram.texts_to(user_id)[before]

            async def link() -> str:
                response = await client.get("/api/customers/shop-1/link", headers=headers["integration"])
                assert response.status_code == 200, response.text
                return response.json()["token"]

            async def linked_accounts() -> list[str]:
                card = await client.get("/api/customers/shop-1", headers=headers["agent"])
                return sorted(i["external_id"] for i in card.json()["identities"] if i["channel"] == "telegram")

            yield pushed.json()["id"], settings, link, open_link, linked_accounts


async def test_a_new_link_replaces_one_the_wrong_account_used(shop):
    _, _, link, open_link, linked_accounts = shop
    first, second = await link(), await link()
    assert first != second
    for token in (first, second):  # a Telegram start payload: at most 64 of [A-Za-z0-9_-]
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", token)
    assert (await open_link(first, FIRST_OWN)).startswith("Done!")
    assert (await open_link(first, WRONG)).startswith("This link has already been used by another account")
    # The shopper's new Telegram account gets the new link, which no one has used.
    assert (await open_link(second, NEW_OWN)).startswith("Done!")
    assert await linked_accounts() == sorted([str(FIRST_OWN), str(NEW_OWN)])
    # The new link, too, serves one account.
    assert (await open_link(second, WRONG)).startswith("This link has already been used by another account")


async def test_links_issued_before_the_change_work_until_they_expire(shop):
    customer_id, settings, _, open_link, linked_accounts = shop
    ttl = settings.link_token_ttl_days
    assert (await open_link(_token_issued_before_nonces(customer_id, settings.secret_key, days_ago=ttl),
                            OLD_LINK)).startswith("Done!")
    expired = await open_link(_token_issued_before_nonces(customer_id, settings.secret_key, days_ago=ttl + 1),
                              OLD_EXPIRED)
    assert "expired" in expired
    assert await linked_accounts() == [str(OLD_LINK)]
