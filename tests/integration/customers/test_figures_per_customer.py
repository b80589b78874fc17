"""Pushes refresh only their customers against the stored RFM breakpoints; the full refresh reconciles."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.customers.breakpoints import load_breakpoints
from core.customers.figures import order_summaries
from core.customers.periodic import FIGURES_REFRESH_LOCK, refresh_all_figures
from core.customers.records import parse_customer
from core.customers.rfm import rank
from core.customers.service import upsert_customer
from core.database import try_serialize, utcnow
from core.models import Customer
from tests.support.customers import (
    LONG_AGO,
    add_customers,
    add_walk_in,
    age_all_customers,
    record_with_orders,
    role_headers,
    stored_figures,
)

# Ten customers, one order each: "c0" bought least, longest ago; "c9" most, most recently.
CUSTOMERS = [record_with_orders(f"c{i}", (300 - 30 * i, str(100 * (i + 1)))) for i in range(10)]
BIG_ORDER = {"status": "delivered", "total": "5000", "created_at": None}


@pytest.fixture
async def headers(session_factory):
    return await role_headers(session_factory, "admin", "integration")


async def _push_customer(client, headers) -> None:
    """c0 pushed again with a big order today (PUT /api/customers)."""
    body = {key: value for key, value in CUSTOMERS[0].items() if key != "external_id"}
    body["orders"] = [*body["orders"], {**BIG_ORDER, "number": "c0-big", "created_at": utcnow().isoformat()}]
    response = await client.put("/api/customers/c0", json=body, headers=headers["integration"])
    assert response.status_code == 200, response.text


async def _push_order(client, headers) -> None:
    """c0's big order today, pushed on its own (PUT /api/orders)."""
    body = {**BIG_ORDER, "customer": "c0", "created_at": utcnow().isoformat()}
    response = await client.put("/api/orders/c0-big", json=body, headers=headers["integration"])
    assert response.status_code == 200, response.text


async def _ranked_now(session_factory) -> dict[str, str]:
    """external_id -> the segment a full ranking of the stored orders gives now."""
    async with session_factory() as session:
        segments = rank(await order_summaries(session, "UAH")).segments
        names = dict((await session.execute(select(Customer.id, Customer.external_id))).all())
    return {names[customer_id]: segment for customer_id, segment in segments.items()}


async def _segment_by_breakpoints(session_factory, external_id: str) -> str:
    async with session_factory() as session:
        customer_id = await session.scalar(select(Customer.id).where(Customer.external_id == external_id))
        breakpoints = await load_breakpoints(session)
        [summary] = await order_summaries(session, "UAH", [customer_id])
    return breakpoints.segment(summary)


@pytest.mark.parametrize("push", [pytest.param(_push_customer, id="customer-put"),
                                  pytest.param(_push_order, id="order-put")])
async def test_a_push_writes_only_its_customer_with_the_segment_the_breakpoints_give(
        client, settings, session_factory, headers, push):
    await add_customers(session_factory, settings, *CUSTOMERS)
    await age_all_customers(session_factory)
    before = await stored_figures(session_factory)
    await push(client, headers)
    after = await stored_figures(session_factory)
    assert {k: row for k, row in after.items() if k != "c0"} == {k: row for k, row in before.items() if k != "c0"}
    value, segment, _, updated_at = after["c0"]
    assert value == Decimal("5100") and updated_at > LONG_AGO
    assert segment == await _segment_by_breakpoints(session_factory, "c0") == "champions"
    # Ranking everyone again would have moved someone else too: the push did not do that.
    ranked = await _ranked_now(session_factory)
    assert any(ranked[k] != row[1] for k, row in after.items() if k != "c0")


async def test_a_merge_writes_the_survivor_by_the_breakpoints(client, settings, session_factory, headers):
    await add_customers(session_factory, settings, *CUSTOMERS)
    walk_in = await add_walk_in(session_factory)
    await age_all_customers(session_factory)
    before = await stored_figures(session_factory)
    async with session_factory() as session:
        survivor = await session.scalar(select(Customer.id).where(Customer.external_id == "c3"))
    merged = await client.post(f"/api/customers/{walk_in}/merge", json={"into": survivor},
                               headers=headers["admin"])
    assert merged.status_code == 200, merged.text
    after = await stored_figures(session_factory)
    untouched = {k for k in before if k not in ("c3", None)}  # None: the walk-in, merged away
    assert {k: after[k] for k in untouched} == {k: before[k] for k in untouched}
    assert after["c3"][0] == Decimal("660") and after["c3"][3] > LONG_AGO
    assert merged.json()["rfm_segment"] == after["c3"][1] == await _segment_by_breakpoints(session_factory, "c3")


async def test_a_push_before_any_breakpoints_ranks_everyone_and_stores_them(client, settings, session_factory,
                                                                            headers):
    async with session_factory() as session, session.begin():
        for record in CUSTOMERS:  # written without a figures refresh: a database with no breakpoints
            await upsert_customer(session, parse_customer(record, region=settings.phone_region,
                                                          currency=settings.shop_currency))
        assert await load_breakpoints(session) is None
    await _push_order(client, headers)
    stored = await stored_figures(session_factory)
    assert {k: row[1] for k, row in stored.items()} == await _ranked_now(session_factory)
    assert all(row[1] is not None for row in stored.values())
    async with session_factory() as session:
        assert await load_breakpoints(session) == rank(await order_summaries(session, "UAH")).breakpoints


async def test_the_full_refresh_reconciles_what_pushes_left_and_stores_new_breakpoints(
        client, settings, session_factory, headers):
    await add_customers(session_factory, settings, *CUSTOMERS)
    async with session_factory() as session:
        first = await load_breakpoints(session)
    await _push_customer(client, headers)
    stale = {k: row[1] for k, row in (await stored_figures(session_factory)).items()}
    ranked = await _ranked_now(session_factory)
    assert stale != ranked

    assert await refresh_all_figures(session_factory, settings) is True
    assert {k: row[1] for k, row in (await stored_figures(session_factory)).items()} == ranked
    async with session_factory() as session:
        stored = await load_breakpoints(session)
        assert stored == rank(await order_summaries(session, "UAH")).breakpoints != first


async def test_only_one_process_runs_the_full_refresh_at_a_time(backend, client, settings, session_factory,
                                                                headers):
    if not backend.is_postgres:
        pytest.skip("SQLite has no advisory locks (its one writer at a time is the lock); this runs on PostgreSQL")
    await add_customers(session_factory, settings, *CUSTOMERS)
    await _push_customer(client, headers)
    stale = await stored_figures(session_factory)
    async with session_factory() as elsewhere, elsewhere.begin():
        # Another process's refresh holds the lock until its transaction ends.
        assert await try_serialize(elsewhere, FIGURES_REFRESH_LOCK) is True
        assert await refresh_all_figures(session_factory, settings) is False
        assert await stored_figures(session_factory) == stale
    assert await refresh_all_figures(session_factory, settings) is True
    assert {k: row[1] for k, row in (await stored_figures(session_factory)).items()} == \
        await _ranked_now(session_factory)
