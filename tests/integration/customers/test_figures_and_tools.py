"""Derived figures over the database, the demo customers and the integration-token command."""

from datetime import timedelta

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from core.customers.figures import refresh_figures
from core.database import utcnow
from core.models import Customer
from tests.conftest import make_settings
from tests.support.cli import run_cli
from tests.support.customers import add_customers
from web.app import create_app
from web.demo import seed_demo


def _customer(external_id: str, *orders: tuple[int, str, str]) -> dict:
    """A customer with orders given as (days ago, total, status)."""
    return {"external_id": external_id, "orders": [
        {"number": f"{external_id}-{index}", "status": status, "total": total,
         "created_at": (utcnow() - timedelta(days=days)).isoformat()}
        for index, (days, total, status) in enumerate(orders)]}


async def _by_external_id(session_factory) -> dict[str, Customer]:
    async with session_factory() as session:
        return {c.external_id: c for c in (await session.scalars(select(Customer))).all()}


async def test_rfm_segments_lifetime_value_and_vip_rules_over_all_customers(backend, settings, session_factory):
    await add_customers(
        session_factory, settings,
        _customer("loyal", (1, "900", "delivered"), (10, "800", "delivered"), (20, "700", "delivered"),
                  (30, "600", "delivered"), (40, "100", "cancelled")),
        _customer("regular", (15, "300", "delivered"), (60, "200", "delivered")),
        _customer("newbie", (2, "150", "new")),
        _customer("lapsed", (300, "250", "delivered")),
        _customer("gone", (500, "50", "delivered")),
        {"external_id": "browser"},
    )
    customers = await _by_external_id(session_factory)
    assert str(customers["loyal"].lifetime_value) == "3000.00"  # the cancelled order does not count
    assert customers["loyal"].rfm_segment == "champions"
    assert customers["gone"].rfm_segment == "hibernating"
    assert customers["browser"].rfm_segment is None and str(customers["browser"].lifetime_value) == "0.00"
    assert not any(c.vip for c in customers.values())

    by_value = make_settings(backend, database_url=settings.database_url, vip_lifetime_value="400")
    async with session_factory() as session, session.begin():
        await refresh_figures(session, by_value)
    assert {k for k, c in (await _by_external_id(session_factory)).items() if c.vip} == {"loyal", "regular"}

    by_segment = make_settings(backend, database_url=settings.database_url, vip_segments="champions")
    async with session_factory() as session, session.begin():
        await refresh_figures(session, by_segment)
    assert {k for k, c in (await _by_external_id(session_factory)).items() if c.vip} == {"loyal"}


async def test_demo_store_has_customers_with_orders_and_one_vip(session_factory):
    assert await seed_demo(session_factory) is not None
    customers = await _by_external_id(session_factory)
    assert len(customers) == 3
    assert [k for k, c in customers.items() if c.vip] == ["demo-1001"]
    assert all(c.lifetime_value > 0 and c.rfm_segment for c in customers.values())


async def test_tokens_create_prints_a_token_once_that_the_integration_uses(settings, session_factory):
    env = {"RELAYDESK_DATABASE_URL": settings.database_url}
    created = run_cli("users", "create", "--email", "shop@backend.test", "--password", "long-enough-1",
                      "--role", "integration", env=env)
    assert created.returncode == 0, created.stderr
    issued = run_cli("tokens", "create", "--email", "shop@backend.test", "--name", "shop backend", env=env)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]  # the secret is printed alone on the last line
    assert len(token) >= 40
    unknown = run_cli("tokens", "create", "--email", "nobody@backend.test", "--name", "x", env=env)
    assert unknown.returncode == 1 and "no active staff account" in unknown.stderr
    async with AsyncTestClient(app=create_app(settings)) as client:
        pushed = await client.put("/api/customers/shop-7", json={"name": "Via token"},
                                  headers={"Authorization": f"Bearer {token}"})
        assert pushed.status_code == 200 and pushed.json()["name"] == "Via token"
        assert (await client.get("/api/customers/shop-7", headers={"Authorization": f"Bearer {token}"})
                ).status_code == 403  # integrations push; reading the customer card is for staff
