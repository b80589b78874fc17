"""Order dates outside the years 1970–2999 in UTC are refused, named, before anything is stored
(found by QA: ``0001-01-01T00:00:00+14:00`` overflowed when converted to UTC, a 500 and a traceback
from ``customers import``)."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from core.database import UTCDateTime
from core.models import Customer, Order
from tests.support.cli import run_cli
from tests.support.customers import role_headers

BEFORE_YEAR_1_IN_UTC = "0001-01-01T00:00:00+14:00"
AFTER_YEAR_9999_IN_UTC = "9999-12-31T23:59:59-14:00"
RANGE_ERROR = "must be in the years 1970 to 2999 (UTC)"


def _order(created_at, number: str = "QA-1") -> dict:
    return {"number": number, "status": "new", "total": 1, "currency": "UAH", "created_at": created_at}


@pytest.fixture
async def integration(session_factory) -> dict[str, str]:
    return (await role_headers(session_factory, "integration"))["integration"]


async def _stored(session_factory) -> tuple[int, int]:
    async with session_factory() as session:
        return (await session.scalar(select(func.count()).select_from(Customer)),
                await session.scalar(select(func.count()).select_from(Order)))


@pytest.mark.parametrize("created_at", [
    pytest.param(BEFORE_YEAR_1_IN_UTC, id="before-year-1-in-utc"),
    pytest.param(AFTER_YEAR_9999_IN_UTC, id="after-year-9999-in-utc"),
    pytest.param("0001-01-01", id="year-1"),
    pytest.param("3000-01-01T00:00:00Z", id="year-3000"),
    pytest.param(-1, id="unix-time-before-1970"),
])
async def test_a_customer_push_with_an_implausible_order_date_is_400_naming_it(client, session_factory, integration,
                                                                              created_at) -> None:
    response = await client.put("/api/customers/qa-dt", json={"name": "x", "orders": [_order(created_at)]},
                                headers=integration)
    assert response.status_code == 400, response.text
    assert response.json()["extra"] == [{"field": "orders.0.created_at", "error": RANGE_ERROR}]
    assert response.json()["detail"] == f"orders.0.created_at: {RANGE_ERROR}"
    assert await _stored(session_factory) == (0, 0)


async def test_an_order_push_with_an_implausible_date_is_400_naming_it(client, session_factory, integration) -> None:
    assert (await client.put("/api/customers/qa-ext", json={"name": "x"}, headers=integration)).status_code == 200
    response = await client.put("/api/orders/QA-X1", json={"customer": "qa-ext", **_order(BEFORE_YEAR_1_IN_UTC)},
                                headers=integration)
    assert response.status_code == 400, response.text
    assert response.json()["extra"] == [{"field": "created_at", "error": RANGE_ERROR}]
    assert await _stored(session_factory) == (1, 0)


async def test_dates_within_the_years_are_kept_unix_times_too(client, integration) -> None:
    orders = [_order("2999-12-31T23:59:59Z", "A"), _order("1970-01-01T00:00:00Z", "B"), _order(1e10, "C")]
    response = await client.put("/api/customers/qa-ok", json={"name": "x", "orders": orders}, headers=integration)
    assert response.status_code == 200, response.text
    stored = {order["number"]: datetime.fromisoformat(order["created_at"]) for order in response.json()["orders"]}
    assert stored == {"A": datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC), "B": datetime(1970, 1, 1, tzinfo=UTC),
                      "C": datetime(2286, 11, 20, 17, 46, 40, tzinfo=UTC)}


def test_the_cli_import_names_the_customer_and_order_in_one_line(settings, tmp_path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps([{"external_id": "cli-dt", "name": "x", "orders": [_order(AFTER_YEAR_9999_IN_UTC)]}]))
    result = run_cli("customers", "import", str(path), env={"RELAYDESK_DATABASE_URL": settings.database_url})
    assert result.returncode == 1
    assert f"  line 1: orders.0.created_at: {RANGE_ERROR}\n" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_datetime_beyond_year_9999_in_utc_is_a_value_error_not_an_overflow() -> None:
    far = datetime.fromisoformat(AFTER_YEAR_9999_IN_UTC)
    with pytest.raises(ValueError, match="outside the years 1-9999 in UTC"):
        UTCDateTime().process_bind_param(far, None)
