"""An erased customer's orders no longer hold the shop's order numbers: the shop's imports and pushes go on.

Regression (QA, F8): after ``POST /api/customers/{id}/erase`` the erased, anonymous record kept the
shop's order numbers, so the shop's next full import failed for every customer ("duplicate order
10234: it belongs to another customer", a record the shop can no longer address) and ``PUT
/api/orders/10234`` was a 409. The shop's number also named the person again in the shop's records.
"""

import asyncio
import json

import pytest
from sqlalchemy import select, text

from bots.flow import InboundFlow
from bots.steps import default_steps
from core.bus import MemoryEventBus
from core.customers.models import RfmBreakpoints
from core.database import create_engine, utcnow
from core.models import Customer, Order
from core.settings import Settings
from tests.support.backends import create_postgres_database, drop_postgres_database
from tests.support.cli import run_cli
from tests.support.customers import DMYTRO, OKSANA, role_headers, shopper
from web.migrate import upgrade


@pytest.fixture
async def headers(session_factory):
    return await role_headers(session_factory, "admin", "agent", "integration")


async def _erase_oksana(client, headers, settings, session_factory) -> dict:
    """Oksana (shop-1) with her Telegram linked by her phone and a message, erased; returns her erased card."""
    flow = InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps())
    await flow.process(shopper("telegram", "tg-oksana", kind="contact", phone="+380501234567"))
    await flow.process(shopper("telegram", "tg-oksana", text="where is my order 10234"))
    oksana = (await client.get("/api/customers/shop-1", headers=headers["agent"])).json()
    assert [i["external_id"] for i in oksana["identities"]] == ["tg-oksana"]
    erased = await client.post(f"/api/customers/{oksana['id']}/erase", headers=headers["admin"])
    assert erased.status_code == 200, erased.text
    return (await client.get(f"/api/customers/{oksana['id']}", headers=headers["agent"])).json()


def _nothing_of(erased: dict) -> None:
    """The erased card keeps its anonymous orders, counting for no figures, and none of the shop's order numbers."""
    assert (erased["erased"], erased["name"], erased["phones"], erased["identities"]) == (True, None, [], [])
    assert (erased["lifetime_value"], erased["spent_by_currency"], erased["rfm_segment"], erased["vip"]) == (
        "0.00", {}, None, False)
    assert [o["total"] for o in erased["orders"]] == ["2450.00", "1290.00"]
    assert all(o["number"].startswith("[erased] ") and o["tracking"] is None for o in erased["orders"])


def _fresh(card: dict, erased: dict) -> None:
    """The shop's account made anew: only what the shop sent, nothing of the erased record."""
    assert card["id"] != erased["id"]
    assert (card["identities"], card["verified_phones"], card["conversations"]) == ([], [], [])
    assert [(o["number"], o["tracking"]) for o in card["orders"]] == [("10234", "20450000123456"), ("10188", None)]


async def test_the_shops_full_import_runs_again_after_an_erase(client, headers, settings, session_factory,
                                                               tmp_path):
    export = tmp_path / "customers.json"
    export.write_text(json.dumps([OKSANA, DMYTRO], ensure_ascii=False), encoding="utf-8")
    env = {"RELAYDESK_DATABASE_URL": settings.database_url}
    first = run_cli("customers", "import", str(export), env=env)
    assert first.returncode == 0, first.stderr
    erased = await _erase_oksana(client, headers, settings, session_factory)
    again = run_cli("customers", "import", str(export), env=env)
    assert again.returncode == 0, again.stderr
    assert "imported 2 customers (1 new, 1 existing) and 3 orders (2 new" in again.stdout
    _fresh((await client.get("/api/customers/shop-1", headers=headers["agent"])).json(), erased)
    _nothing_of(erased)
    _nothing_of((await client.get(f"/api/customers/{erased['id']}", headers=headers["agent"])).json())


async def test_the_re_imported_persons_orders_count_once(client, headers, settings, session_factory, tmp_path):
    # Found in review: the erased record kept its anonymous figures, so once the shop's import brought the
    # person back as a new record, their 3740 counted on both (in the ranking and in any sum of values).
    export = tmp_path / "customers.json"
    export.write_text(json.dumps([OKSANA, DMYTRO], ensure_ascii=False), encoding="utf-8")
    env = {"RELAYDESK_DATABASE_URL": settings.database_url}
    assert run_cli("customers", "import", str(export), env=env).returncode == 0
    erased = await _erase_oksana(client, headers, settings, session_factory)
    assert run_cli("customers", "import", str(export), env=env).returncode == 0
    async with session_factory() as session:
        values = dict((await session.execute(select(Customer.id, Customer.lifetime_value))).all())
        ranked = await session.scalar(select(RfmBreakpoints.customers))
    back = (await client.get("/api/customers/shop-1", headers=headers["agent"])).json()
    assert (back["lifetime_value"], values[erased["id"]], sum(values.values())) == ("3740.00", 0, 3740 + 780)
    assert ranked == 2  # Oksana and Dmytro, not Oksana twice


async def test_the_shop_pushes_the_erased_customers_orders_again(client, headers, settings, session_factory):
    body = {k: v for k, v in OKSANA.items() if k not in ("external_id", "orders")}
    assert (await client.put("/api/customers/shop-1", json={**body, "orders": OKSANA["orders"]},
                             headers=headers["integration"])).status_code == 200
    erased = await _erase_oksana(client, headers, settings, session_factory)
    assert (await client.put("/api/customers/shop-1", json=body, headers=headers["integration"])).status_code == 200
    for order in OKSANA["orders"]:
        pushed = await client.put(f"/api/orders/{order['number']}", headers=headers["integration"],
                                  json={"customer": "shop-1", **{k: v for k, v in order.items() if k != "number"}})
        assert pushed.status_code == 200, pushed.text
    _fresh((await client.get("/api/customers/shop-1", headers=headers["agent"])).json(), erased)
    _nothing_of((await client.get(f"/api/customers/{erased['id']}", headers=headers["agent"])).json())


async def test_the_erased_form_of_an_order_number_is_not_the_shops_to_use(client, headers):
    await client.put("/api/customers/shop-1", json={"name": "Oksana"}, headers=headers["integration"])
    refused = await client.put("/api/orders/[erased] 1", json={"customer": "shop-1", "status": "new"},
                               headers=headers["integration"])
    assert refused.status_code == 400 and "reserved for erased orders" in refused.text


async def _store_erased_customer_with_an_order(url: str) -> None:
    # Plain SQL: the models may have columns a later migration adds.
    engine = create_engine(Settings(database_url=url, _env_file=None))
    now = utcnow()
    try:
        async with engine.begin() as connection:
            for customer_id, erased_at in ((1, now), (2, None)):
                await connection.execute(text(
                    "INSERT INTO customers (id, emails, tags, vip, lifetime_value, marketing_opt_out, erased_at,"
                    " created_at, updated_at) VALUES (:id, '[]', '[]', false, 0, false, :erased_at, :now, :now)"),
                    {"id": customer_id, "erased_at": erased_at, "now": now})
            for order_id, customer_id, number in ((7, 1, "10234"), (8, 2, "20001")):
                await connection.execute(text(
                    "INSERT INTO orders (id, customer_id, number, status, items, total, currency, created_at,"
                    " updated_at) VALUES (:id, :customer_id, :number, 'shipped', '[]', 10, 'UAH', :now, :now)"),
                    {"id": order_id, "customer_id": customer_id, "number": number, "now": now})
    finally:
        await engine.dispose()


async def _order_numbers(url: str) -> list[tuple[int, str]]:
    engine = create_engine(Settings(database_url=url, _env_file=None))
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(select(Order.id, Order.number).order_by(Order.id))]
    finally:
        await engine.dispose()


def test_customers_erased_before_the_upgrade_free_their_order_numbers(backend, tmp_path) -> None:
    url = asyncio.run(create_postgres_database()) if backend.is_postgres \
        else f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    try:
        upgrade(Settings(database_url=url, _env_file=None), "0010_message_parts")
        asyncio.run(_store_erased_customer_with_an_order(url))
        result = run_cli("db", "upgrade", env={"RELAYDESK_DATABASE_URL": url})
        assert result.returncode == 0, result.stderr
        assert asyncio.run(_order_numbers(url)) == [(7, "[erased] 7"), (8, "20001")]
    finally:
        if backend.is_postgres:
            asyncio.run(drop_postgres_database(url))
