"""The server ranks every customer again every FIGURES_REFRESH_INTERVAL_S; 0 (or no workers) turns it off."""

import asyncio
from decimal import Decimal

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from core.bus import create_bus
from core.customers.breakpoints import load_breakpoints
from core.customers.figures import order_summaries, refresh_customer_figures
from core.customers.rfm import rank
from core.database import utcnow
from core.models import Customer, Order
from tests.conftest import make_settings
from tests.support.channels import eventually
from tests.support.customers import add_customers, record_with_orders
from web.app import create_app
from web.figures_component import FIGURES_REFRESH_TASK, figures_component
from web.services import AppServices

CUSTOMERS = [record_with_orders(f"c{i}", (300 - 30 * i, str(100 * (i + 1)))) for i in range(10)]


async def _push_big_order_to_c0(session_factory, settings) -> None:
    """What a push does: c0's new order, and only c0's figures refreshed by the stored breakpoints."""
    async with session_factory() as session, session.begin():
        customer_id = await session.scalar(select(Customer.id).where(Customer.external_id == "c0"))
        session.add(Order(customer_id=customer_id, number="c0-big", status="delivered", total=Decimal("5000"),
                          currency="UAH", created_at=utcnow()))
        await refresh_customer_figures(session, settings, [customer_id])


async def _segments_match_a_full_ranking(session_factory) -> bool:
    async with session_factory() as session:
        ranked = rank(await order_summaries(session, "UAH"))
        stored = dict((await session.execute(select(Customer.id, Customer.rfm_segment))).all())
        return stored == ranked.segments and await load_breakpoints(session) == ranked.breakpoints


async def test_the_server_reconciles_segments_and_breakpoints_in_the_background(backend, settings, session_factory):
    await add_customers(session_factory, settings, *CUSTOMERS)
    await _push_big_order_to_c0(session_factory, settings)
    assert not await _segments_match_a_full_ranking(session_factory)
    server = make_settings(backend, run_workers=True, figures_refresh_interval_s=0.05,
                           redis_prefix=settings.redis_prefix)
    async with AsyncTestClient(app=create_app(server)):
        await eventually(lambda: _segments_match_a_full_ranking(session_factory))


@pytest.mark.parametrize("overrides", [
    pytest.param({"run_workers": True, "figures_refresh_interval_s": 0}, id="interval-0"),
    pytest.param({"run_workers": False, "figures_refresh_interval_s": 0.05}, id="no-workers"),
])
async def test_no_background_refresh_when_turned_off(backend, settings, session_factory, overrides):
    running = {"run_workers": True, "figures_refresh_interval_s": 0.05}
    for values, expected in ((running, True), (overrides, False)):
        server = make_settings(backend, redis_prefix=settings.redis_prefix, **values)
        # The component on its own, in this event loop (the test client runs the app in another).
        services = AppServices(server, engine=None, session_factory=session_factory, bus=create_bus(server),
                               secret_key=server.secret_key)
        async with figures_component(services):
            names = {task.get_name() for task in asyncio.all_tasks()}
        assert (FIGURES_REFRESH_TASK in names) is expected, values
