"""refresh_figures in bulk: the same figures, only changed rows written, loaded objects kept current."""

from decimal import Decimal

import pytest
from sqlalchemy import event, select, update

from core.customers.bulk import CHUNK_CUSTOMERS, upsert_customers
from core.customers.figures import refresh_figures
from core.customers.records import parse_customer
from core.database import create_engine, create_session_factory, utcnow
from core.models import Customer, Order
from tests.conftest import make_settings
from tests.support.customers import (
    LONG_AGO,
    OKSANA,
    add_customers,
    add_walk_in,
    age_all_customers,
    role_headers,
    stored_figures,
)
from tests.support.customers import record_with_orders as record


async def test_vip_by_tag_lifetime_value_and_segment_with_and_without_orders(backend, settings, session_factory):
    await add_customers(session_factory, settings, record("big", (5, "500"), (6, "400"), (7, "300")),
                        record("small", (1, "20")), record("tagged", tags=("VIP",)), record("plain"))
    stored = await stored_figures(session_factory)
    # Two customers with orders: big scores R2 F4 M4, small R4 F2 M2.
    assert stored["big"][:3] == (Decimal("1200"), "at_risk", False)
    assert stored["small"][:3] == (Decimal("20"), "potential_loyalist", False)
    assert stored["tagged"][:3] == (Decimal("0"), None, True)  # a tag in another case still counts
    assert stored["plain"][:3] == (Decimal("0"), None, False)

    by_value = make_settings(backend, database_url=settings.database_url, vip_lifetime_value="20", vip_tags="")
    async with session_factory() as session, session.begin():
        assert await refresh_figures(session, by_value) == 3  # big and small become VIPs, tagged no longer is
    assert {k for k, row in (await stored_figures(session_factory)).items() if row[2]} == {"big", "small"}

    by_segment = make_settings(backend, database_url=settings.database_url, vip_segments="Potential_Loyalist",
                               vip_tags="")
    async with session_factory() as session, session.begin():
        await refresh_figures(session, by_segment)
    assert {k for k, row in (await stored_figures(session_factory)).items() if row[2]} == {"small"}


async def test_only_customers_whose_figures_change_are_written(settings, session_factory):
    await add_customers(session_factory, settings,
                        record("a", (1, "100")), record("b", (2, "200")), record("c"))
    await age_all_customers(session_factory)
    before = await stored_figures(session_factory)
    async with session_factory() as session, session.begin():
        assert await refresh_figures(session, settings) == 0
    assert await stored_figures(session_factory) == before

    async with session_factory() as session, session.begin():
        await session.execute(update(Customer).where(Customer.external_id == "c").values(tags=["vip"]))
        assert await refresh_figures(session, settings) == 1
    after = await stored_figures(session_factory)
    assert after["c"][2] is True and after["c"][3] > LONG_AGO
    assert {k: row for k, row in after.items() if k != "c"} == {k: row for k, row in before.items() if k != "c"}


async def test_merged_away_customers_keep_their_figures(settings, session_factory):
    await add_customers(session_factory, settings, record("survivor", (1, "100")), record("gone"))
    async with session_factory() as session, session.begin():
        survivor = await session.scalar(select(Customer.id).where(Customer.external_id == "survivor"))
        await session.execute(update(Customer).where(Customer.external_id == "gone").values(
            merged_into_id=survivor, lifetime_value=Decimal("999"), rfm_segment="champions", vip=True,
            updated_at=LONG_AGO))
        await refresh_figures(session, settings)
    assert (await stored_figures(session_factory))["gone"] == (Decimal("999"), "champions", True, LONG_AGO)


async def test_customers_loaded_in_the_session_show_the_new_figures(settings, session_factory):
    await add_customers(session_factory, settings, record("a", (3, "100")))
    async with session_factory() as session, session.begin():
        customer = await session.scalar(select(Customer).where(Customer.external_id == "a"))
        session.add(Order(customer_id=customer.id, number="a-new", status="delivered", total=Decimal("50"),
                          currency="UAH", created_at=utcnow()))
        customer.tags = ["vip"]  # not flushed yet: the refresh must see it
        await refresh_figures(session, settings)
        # Alone among customers with orders, it scores 3 on everything.
        assert (customer.lifetime_value, customer.rfm_segment, customer.vip) == (Decimal("150"), "need_attention", True)
        assert customer not in session.dirty
        written_at = customer.updated_at
    assert (await stored_figures(session_factory))["a"] == (Decimal("150"), "need_attention", True, written_at)


async def test_rest_pushes_merge_and_unmerge_answer_with_the_new_figures(client, settings, session_factory):
    headers = await role_headers(session_factory, "admin", "agent", "integration")
    body = {key: value for key, value in OKSANA.items() if key != "external_id"}
    pushed = await client.put("/api/customers/shop-1", json=body, headers=headers["integration"])
    assert pushed.json()["lifetime_value"] == "3740.00" and pushed.json()["rfm_segment"] is not None
    more = {**body, "orders": [*body["orders"], {"number": "10300", "status": "delivered", "total": "1000"}]}
    pushed = await client.put("/api/customers/shop-1", json=more, headers=headers["integration"])
    card = (await client.get("/api/customers/shop-1", headers=headers["agent"])).json()
    assert pushed.json()["lifetime_value"] == card["lifetime_value"] == "4740.00"

    walk_in = await add_walk_in(session_factory)
    merged = await client.post(f"/api/customers/{walk_in}/merge", json={"into": pushed.json()["id"]},
                               headers=headers["admin"])
    assert merged.status_code == 200, merged.text
    assert merged.json()["lifetime_value"] == "5000.00"
    restored = await client.post(f"/api/customers/{walk_in}/unmerge", headers=headers["admin"])
    assert restored.json()["lifetime_value"] == "260.00" and restored.json()["rfm_segment"] is not None
    assert (await client.get("/api/customers/shop-1", headers=headers["agent"])).json()["lifetime_value"] == "4740.00"


@pytest.mark.parametrize("chunks", [1, 3])
async def test_statements_do_not_grow_with_the_customers_beyond_chunks(settings, chunks):
    engine = create_engine(settings)
    factory = create_session_factory(engine)
    count = CHUNK_CUSTOMERS * (chunks - 1) + 100
    records = [parse_customer(record(f"c{i}", (1 + i % 300, str(10 + i))), region=settings.phone_region,
                                                                currency=settings.shop_currency)
               for i in range(count)]
    statements: list[str] = []
    try:
        async with factory() as session, session.begin():
            await upsert_customers(session, records)
        event.listen(engine.sync_engine, "before_cursor_execute",
                     lambda _conn, _cursor, statement, *_: statements.append(statement.split(None, 1)[0]))
        async with factory() as session, session.begin():
            assert await refresh_figures(session, settings) == count  # every lifetime value and segment is new
    finally:
        await engine.dispose()
    # The order aggregate and the stored figures, then one UPDATE per chunk of changed customers.
    assert [s for s in statements if s in ("SELECT", "UPDATE")] == ["SELECT", "SELECT"] + ["UPDATE"] * chunks
