"""The shop names its customers by their external_id only: an unknown one is a 404, never our id.

Regression (QA, F0): ``POST /api/notifications {"customer": "5"}`` and ``GET /api/customers/14/link``,
with no customer known to the shop as "5" or "14", read the number as Relaydesk's own id: another
shopper got the order's tracking number, and a stranger's Telegram was bound to another account.
"""

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from core.models import Identity
from tests.support import telegram_payloads as tg
from tests.support.channels import channel_settings, eventually, post_telegram, stored_messages
from tests.support.customers import OKSANA, role_headers
from tests.support.telegram_double import TelegramDouble
from web.app import create_app

STRANGER = 90000005
SECRET = "NP-SECRET-5"


def _shipped(**recipient) -> dict:
    return {**recipient, "template": "order_shipped", "params": {"number": "123456", "tracking": SECRET}}


@pytest.fixture
async def app(backend, session_factory):
    """The app on a Telegram double; shop-1 pushed, and a stranger who wrote to the bot (no shop account)."""
    with TelegramDouble() as telegram:
        headers = await role_headers(session_factory, "integration", "supervisor", "agent")
        settings = channel_settings(backend, telegram=telegram)
        async with AsyncTestClient(app=create_app(settings)) as client:
            pushed = await client.put("/api/customers/shop-1", headers=headers["integration"],
                                      json={k: v for k, v in OKSANA.items() if k != "external_id"})
            assert pushed.status_code == 200, pushed.text
            await post_telegram(client, settings, tg.text_update("hi", user_id=STRANGER))
            await eventually(lambda: telegram.texts_to(STRANGER))
            async with session_factory() as session:
                stranger = await session.scalar(select(Identity.customer_id).where(
                    Identity.channel == "telegram", Identity.external_id == str(STRANGER)))
            yield client, headers, telegram, pushed.json()["id"], stranger


async def test_a_notification_for_an_unknown_shop_customer_reaches_nobody(app, session_factory):
    client, headers, telegram, _, stranger = app
    before = len(telegram.texts_to(STRANGER))
    for reference in (str(stranger), stranger):  # as text and as a JSON number
        response = await client.post("/api/notifications", json=_shipped(customer=reference),
                                     headers=headers["integration"])
        assert response.status_code == 404, response.text
        assert f"no customer with external_id '{stranger}'" in response.text
    assert not any(SECRET in (m.text or "") for m in await stored_messages(session_factory))
    assert len(telegram.texts_to(STRANGER)) == before


async def test_our_id_is_named_explicitly_as_customer_id(app):
    client, headers, telegram, _, stranger = app
    both = await client.post("/api/notifications", json=_shipped(customer="shop-1", customer_id=stranger),
                             headers=headers["supervisor"])
    assert both.status_code == 400 and "exactly one" in both.text
    created = await client.post("/api/notifications", json=_shipped(customer_id=stranger),
                                headers=headers["supervisor"])
    assert created.status_code == 201, created.text
    assert created.json()["customer_id"] == stranger
    await eventually(lambda: any(SECRET in text for text in telegram.texts_to(STRANGER)))


async def test_a_link_is_only_for_the_shops_own_customer_id(app):
    client, headers, _, shop_1, stranger = app
    for unknown in (shop_1, stranger):
        response = await client.get(f"/api/customers/{unknown}/link", headers=headers["integration"])
        assert response.status_code == 404, response.text
        assert f"no customer with external_id '{unknown}'" in response.text
    # A shop whose ids are numbers: its customer "<shop_1>" is that one, not our customer shop_1.
    numbered = await client.put(f"/api/customers/{shop_1}", json={"name": "Numbered"},
                                headers=headers["integration"])
    assert numbered.status_code == 200 and numbered.json()["id"] != shop_1
    link = await client.get(f"/api/customers/{shop_1}/link", headers=headers["integration"])
    assert link.status_code == 200 and link.json()["token"].startswith(f"{numbered.json()['id']}_")
    by_name = await client.get("/api/customers/shop-1/link", headers=headers["integration"])
    assert by_name.json()["token"].startswith(f"{shop_1}_")
