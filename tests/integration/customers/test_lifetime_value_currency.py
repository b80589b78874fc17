"""Lifetime value counts the orders in the shop's currency only; other currencies are shown apart.

Regression (QA, F5): an order of 10 USD pushed for a customer with 1500 UAH of orders made their
lifetime value 1510, a sum of two currencies, and that figure feeds ``VIP_LIFETIME_VALUE`` and RFM.
"""

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import make_settings
from tests.support.customers import role_headers
from web.app import create_app

IVANNA = {"name": "Ivanna", "phones": ["+380501112233"], "orders": [
    {"number": "70001", "status": "delivered", "total": "1500", "currency": "UAH",
     "created_at": "2026-10-01T10:00:00+00:00"}]}
IN_DOLLARS = {"customer": "C100", "status": "shipped", "total": "10", "currency": "usd",
              "created_at": "2026-11-01T10:00:00+00:00"}


async def _card_after_a_dollar_order(backend, session_factory, **settings) -> dict:
    headers = await role_headers(session_factory, "integration", "agent")
    async with AsyncTestClient(app=create_app(make_settings(backend, **settings))) as client:
        pushed = await client.put("/api/customers/C100", json=IVANNA, headers=headers["integration"])
        assert pushed.status_code == 200, pushed.text
        ordered = await client.put("/api/orders/70011", json=IN_DOLLARS, headers=headers["integration"])
        assert ordered.status_code == 200, ordered.text
        card = await client.get("/api/customers/C100", headers=headers["agent"])
    assert [(o["number"], o["currency"]) for o in card.json()["orders"]] == [("70011", "USD"), ("70001", "UAH")]
    return card.json()


@pytest.mark.usefixtures("settings")  # an emptied database
async def test_an_order_in_another_currency_is_not_added_to_the_lifetime_value(backend, session_factory):
    card = await _card_after_a_dollar_order(backend, session_factory, vip_lifetime_value="1505")

    assert card["lifetime_value"] == "1500.00"
    assert card["spent_by_currency"] == {"UAH": "1500.00", "USD": "10.00"}
    assert card["vip"] is False  # 1500 UAH is below the threshold; 1510 "of something" is not a reason


@pytest.mark.usefixtures("settings")
async def test_the_shops_currency_is_a_setting(backend, session_factory):
    card = await _card_after_a_dollar_order(backend, session_factory, shop_currency="usd", vip_lifetime_value="10")

    assert card["lifetime_value"] == "10.00"
    assert card["vip"] is True


@pytest.mark.usefixtures("settings")
async def test_an_order_without_a_currency_is_in_the_shops(backend, session_factory):
    # Orders sent without "currency" were UAH whatever SHOP_CURRENCY said, so a shop in euros that
    # leaves it out had a lifetime value of nothing.
    headers = await role_headers(session_factory, "integration", "agent")
    plain = {"status": "delivered", "total": "80", "created_at": "2026-10-01T10:00:00+00:00"}
    async with AsyncTestClient(app=create_app(make_settings(backend, shop_currency="EUR"))) as client:
        pushed = await client.put("/api/customers/C200", json={"orders": [{"number": "E1", **plain}]},
                                  headers=headers["integration"])
        assert pushed.status_code == 200, pushed.text
        ordered = await client.put("/api/orders/E2", json={"customer": "C200", **plain},
                                   headers=headers["integration"])
        assert ordered.status_code == 200, ordered.text
        card = (await client.get("/api/customers/C200", headers=headers["agent"])).json()
    assert sorted((o["number"], o["currency"]) for o in card["orders"]) == [("E1", "EUR"), ("E2", "EUR")]
    assert card["lifetime_value"] == "160.00"
