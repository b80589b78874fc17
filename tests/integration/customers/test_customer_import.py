"""Import from CSV and JSON: validated first, every bad row reported with its line, idempotent."""

import json

import pytest
from sqlalchemy import func, select

from core.customers.importer import import_records, read_source, validate
from core.errors import ValidationFailed
from core.models import Customer, CustomerPhone, Order
from tests.support.cli import run_cli

CSV_HEADER = "external_id,name,phones,emails,tags,order_number,order_status,order_total,order_currency," \
             "order_created_at,order_tracking\n"
GOOD_CSV = CSV_HEADER + (
    "c1,Оксана,050 123 45 67;+380671112233,o@example.com,vip,1001,shipped,2450.50,UAH,2026-11-01T10:00:00,TT1\n"
    "c1,Оксана,050 123 45 67;+380671112233,o@example.com,vip,1002,delivered,100,UAH,2026-10-01T10:00:00,\n"
    "c2,Ivan,+44 20 7946 0958,,,,,,,,\n"
)
GOOD_JSON = [
    {"external_id": "j1", "name": "Dmytro", "phones": ["+380931234567"], "emails": ["d@example.com"], "tags": [],
     "orders": [{"number": "2001", "status": "processing", "total": 780, "currency": "uah",
                 "created_at": "2026-11-20T09:00:00+00:00", "tracking": None}]},
    {"external_id": "j2", "name": "Emily", "phones": [], "emails": [], "tags": ["wholesale"], "orders": []},
]


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def _counts(session_factory) -> tuple[int, int, int]:
    async with session_factory() as session:
        return (await session.scalar(select(func.count(Customer.id))),
                await session.scalar(select(func.count(Order.id))),
                await session.scalar(select(func.count(CustomerPhone.id))))


async def _import(session_factory, settings, path):
    async with session_factory() as session, session.begin():
        records = await validate(session, read_source(path), region=settings.phone_region,
                                 currency=settings.shop_currency)
        return await import_records(session, settings, records)


async def test_csv_rows_become_customers_with_normalised_phones_and_orders(settings, session_factory, tmp_path):
    report = await _import(session_factory, settings, _write(tmp_path, "shop.csv", GOOD_CSV))
    assert (report.customers_created, report.orders_created) == (2, 2)
    async with session_factory() as session:
        oksana = await session.scalar(select(Customer).where(Customer.external_id == "c1"))
        assert sorted(p.phone for p in oksana.phones) == ["+380501234567", "+380671112233"]
        assert oksana.emails == ["o@example.com"] and oksana.tags == ["vip"] and oksana.vip
        assert str(oksana.lifetime_value) == "2550.50"
        order = await session.scalar(select(Order).where(Order.number == "1001"))
        assert (order.status, order.tracking, order.customer_id) == ("shipped", "TT1", oksana.id)
        ivan = await session.scalar(select(Customer).where(Customer.external_id == "c2"))
        assert [p.phone for p in ivan.phones] == ["+442079460958"] and not ivan.vip


async def test_json_import_and_a_second_run_changes_nothing(settings, session_factory, tmp_path):
    path = _write(tmp_path, "shop.json", json.dumps(GOOD_JSON, ensure_ascii=False, indent=2))
    first = await _import(session_factory, settings, path)
    assert (first.customers_created, first.orders_created) == (2, 1)
    async with session_factory() as session:
        before = (await session.scalar(select(Order).where(Order.number == "2001"))).updated_at
    second = await _import(session_factory, settings, path)
    assert (second.customers_created, second.customers_existing, second.orders_created) == (0, 2, 0)
    assert await _counts(session_factory) == (2, 1, 1)
    async with session_factory() as session:
        order = await session.scalar(select(Order).where(Order.number == "2001"))
        assert order.currency == "UAH" and order.updated_at == before


async def test_every_bad_csv_row_is_reported_with_its_line_and_nothing_is_written(settings, session_factory,
                                                                                  tmp_path):
    text = CSV_HEADER + (
        "c1,Оксана,050 123 45 67,o@example.com,,1001,shipped,10,UAH,2026-11-01,\n"    # line 2 fine
        "c2,Bad Phone,12345,,,1002,new,5,UAH,,\n"                                      # line 3 phone
        "c3,Dup,+380671112233,,,1001,new,5,UAH,,\n"                                    # line 4 duplicate order
        "c4,Money,+380931234567,,,1004,new,-3,UAH,,\n"                                 # line 5 negative total
        "c5,Mail,+380931234568,not-an-email,,,,,,,\n"                                  # line 6 e-mail
    )
    with pytest.raises(ValidationFailed) as caught:
        await _import(session_factory, settings, _write(tmp_path, "bad.csv", text))
    lines = sorted({problem["line"] for problem in caught.value.details})
    assert lines == [3, 4, 5, 6]
    assert any("duplicate order 1001" in p["error"] for p in caught.value.details)
    assert await _counts(session_factory) == (0, 0, 0)


async def test_json_problems_point_at_the_line_of_the_customer(settings, session_factory, tmp_path):
    bad = [GOOD_JSON[0], {"external_id": "j9", "phones": ["call me"], "orders": [{"number": "x"}]}]
    path = _write(tmp_path, "bad.json", json.dumps(bad, indent=2))
    with pytest.raises(ValidationFailed) as caught:
        await _import(session_factory, settings, path)
    object_lines = [number for number, line in enumerate(path.read_text().splitlines(), 1) if line == "  {"]
    second_object_line = object_lines[1]
    assert {p["line"] for p in caught.value.details} == {second_object_line}
    assert {p["field"] for p in caught.value.details} == {"phones", "orders.0.status"}
    assert await _counts(session_factory) == (0, 0, 0)


async def test_an_order_of_another_customer_in_the_database_is_a_duplicate(settings, session_factory, tmp_path):
    await _import(session_factory, settings, _write(tmp_path, "shop.csv", GOOD_CSV))
    stolen = CSV_HEADER + "c9,Thief,+380931234567,,,1001,new,1,UAH,,\n"
    with pytest.raises(ValidationFailed, match="problem") as caught:
        await _import(session_factory, settings, _write(tmp_path, "stolen.csv", stolen))
    assert caught.value.details[0]["line"] == 2
    assert await _counts(session_factory) == (2, 2, 3)


def test_cli_imports_with_a_progress_bar_and_reports_bad_rows(settings, tmp_path):
    env = {"RELAYDESK_DATABASE_URL": settings.database_url}
    good = run_cli("customers", "import", str(_write(tmp_path, "shop.csv", GOOD_CSV)), env=env)
    assert good.returncode == 0, good.stderr
    assert "imported 2 customers (2 new, 0 existing) and 2 orders (2 new" in good.stdout
    assert "importing customers" in good.stderr
    bad = run_cli("customers", "import", str(_write(tmp_path, "bad.csv", CSV_HEADER + "c1,X,12345,,,,,,,,\n")),
                  env=env)
    assert bad.returncode == 1
    assert "line 2: phones:" in bad.stderr and "12345" in bad.stderr
    unknown = run_cli("customers", "import", str(_write(tmp_path, "shop.xml", "<x/>")), env=env)
    assert unknown.returncode == 1 and "unknown format" in unknown.stderr
