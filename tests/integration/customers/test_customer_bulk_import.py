"""The bulk import: exact counts and rows when mixing new and existing data, chunks, all or nothing."""

import json

import pytest
from sqlalchemy import event, func, select, update

from core.customers.bulk import CHUNK_CUSTOMERS
from core.customers.importer import import_records, read_source, validate
from core.customers.records import parse_customer
from core.database import create_engine, create_session_factory
from core.errors import ConflictError, ValidationFailed
from core.models import Customer, CustomerPhone, Order

CSV_HEADER = "external_id,name,phones,emails,tags,order_number,order_status,order_total,order_currency," \
             "order_created_at,order_tracking\n"
MANY = CHUNK_CUSTOMERS * 2 + 100  # three chunks, the last one partial


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _json(tmp_path, name: str, customers: list[dict]):
    return _write(tmp_path, name, json.dumps(customers, ensure_ascii=False, indent=1))


def _many_csv(count: int, *, status: str = "new", extra_order_at: dict[int, str] | None = None) -> str:
    """``count`` customers with one order each (plus an extra order number for some indexes)."""
    rows = []
    for i in range(count):
        # Empty names and tracking numbers now and then: NULLs must not split the multi-row INSERTs.
        customer = f"m{i},{f'Name {i}' if i % 3 else ''},+38050{i:07d},m{i}@example.com,"
        rows.append(f"{customer},o{i},{status},{i}.50,UAH,2026-10-01T10:00:00,{f'TT{i}' if i % 2 else ''}\n")
        if extra_order_at and i in extra_order_at:
            rows.append(f"{customer},{extra_order_at[i]},{status},1,UAH,2026-10-01T10:00:00,\n")
    return CSV_HEADER + "".join(rows)


async def _import(session_factory, settings, path, progress=None):
    async with session_factory() as session, session.begin():
        records = await validate(session, read_source(path), region=settings.phone_region,
                                 currency=settings.shop_currency)
        return await import_records(session, settings, records, progress)


async def _add(session_factory, settings, record: dict) -> None:
    async with session_factory() as session, session.begin():
        await import_records(session, settings, [parse_customer(record, region=settings.phone_region,
                                                                currency=settings.shop_currency)])


def _counts_of(report) -> tuple[int, int, int, int]:
    return (report.customers_created, report.customers_existing, report.orders_created, report.orders_existing)


async def _snapshot(session_factory) -> dict:
    """Every customer, phone and order row as plain values (updated_at included)."""
    async with session_factory() as session:
        customers = (await session.execute(
            select(Customer.id, Customer.external_id, Customer.name, Customer.emails, Customer.tags, Customer.vip,
                   Customer.lifetime_value, Customer.rfm_segment, Customer.updated_at).order_by(Customer.id))).all()
        phones = (await session.execute(
            select(CustomerPhone.id, CustomerPhone.customer_id, CustomerPhone.phone, CustomerPhone.verified)
            .order_by(CustomerPhone.id))).all()
        orders = (await session.execute(
            select(Order.id, Order.customer_id, Order.number, Order.status, Order.total, Order.currency,
                   Order.tracking, Order.items, Order.created_at, Order.updated_at).order_by(Order.id))).all()
    return {"customers": [tuple(row) for row in customers], "phones": [tuple(row) for row in phones],
            "orders": [tuple(row) for row in orders]}


async def _phones(session_factory, external_id: str) -> dict[str, bool]:
    async with session_factory() as session:
        rows = (await session.execute(
            select(CustomerPhone.phone, CustomerPhone.verified).join(Customer)
            .where(Customer.external_id == external_id))).all()
    return dict(rows)


async def test_a_file_mixing_new_and_existing_customers_and_orders(settings, session_factory, tmp_path):
    await _import(session_factory, settings, _json(tmp_path, "first.json", [
        {"external_id": "a", "name": "Anna", "emails": ["a@example.com"], "tags": ["vip"], "orders": [
            {"number": "1", "status": "new", "total": 10, "created_at": "2026-10-01T10:00:00+00:00"},
            {"number": "2", "status": "new", "total": 20, "created_at": "2026-10-02T10:00:00+00:00"}]},
        {"external_id": "b", "name": "Borys", "orders": [{"number": "3", "status": "paid", "total": 30}]},
    ]))
    before = await _snapshot(session_factory)
    report = await _import(session_factory, settings, _json(tmp_path, "second.json", [
        {"external_id": "c", "name": "Clara", "orders": [{"number": "5", "status": "new", "total": 50}]},
        {"external_id": "a", "emails": ["new@example.com"], "tags": [], "orders": [
            {"number": "1", "status": "new", "total": 10, "created_at": "2026-10-01T10:00:00+00:00"},
            {"number": "2", "status": "shipped", "total": 20, "tracking": "TT2"},
            {"number": "4", "status": "new", "total": 40, "created_at": "2026-11-01T10:00:00+00:00"}]},
        {"external_id": "b", "name": "Borys", "orders": [{"number": "3", "status": "paid", "total": 30}]},
    ]))
    assert _counts_of(report) == (1, 2, 2, 3)
    after = await _snapshot(session_factory)
    customers = {row[1]: row for row in after["customers"]}
    # The name the file leaves out is kept; e-mails and tags are the shop's and replaced.
    assert customers["a"][2:5] == ("Anna", ["new@example.com"], [])
    borys_before = next(row for row in before["customers"] if row[1] == "b")
    assert customers["c"][2] == "Clara" and customers["b"][:5] == borys_before[:5]
    orders = {row[2]: row for row in after["orders"]}
    old_orders = {row[2]: row for row in before["orders"]}
    assert sorted(orders) == ["1", "2", "3", "4", "5"]
    assert orders["1"] == old_orders["1"] and orders["3"] == old_orders["3"]  # unchanged rows untouched
    # Order 2 changed: new status and tracking, its date kept because the file gives none.
    assert orders["2"][3] == "shipped" and orders["2"][6] == "TT2" and orders["2"][8] == old_orders["2"][8]
    assert orders["2"][9] > old_orders["2"][9]
    assert {orders[n][1] for n in ("1", "2", "4")} == {customers["a"][0]} and orders["5"][1] == customers["c"][0]
    assert str(customers["a"][6]) == "70.00"  # lifetime value refreshed from orders 1, 2 and 4


async def test_reimporting_a_file_of_several_chunks_changes_no_row(settings, session_factory, tmp_path):
    path = _write(tmp_path, "many.csv", _many_csv(MANY))
    first = await _import(session_factory, settings, path)
    assert _counts_of(first) == (MANY, 0, MANY, 0)
    before = await _snapshot(session_factory)
    assert (len(before["customers"]), len(before["phones"]), len(before["orders"])) == (MANY, MANY, MANY)
    second = await _import(session_factory, settings, path)
    assert _counts_of(second) == (0, MANY, 0, MANY)
    assert await _snapshot(session_factory) == before


async def test_a_changed_file_of_several_chunks_updates_every_chunk(settings, session_factory, tmp_path):
    await _import(session_factory, settings, _write(tmp_path, "many.csv", _many_csv(MANY)))
    report = await _import(session_factory, settings, _write(tmp_path, "paid.csv", _many_csv(MANY, status="paid")))
    assert _counts_of(report) == (0, MANY, 0, MANY)
    async with session_factory() as session:
        statuses = dict((await session.execute(select(Order.status, func.count()).group_by(Order.status))).all())
    assert statuses == {"paid": MANY}


async def test_verified_phones_are_kept_while_unverified_ones_are_replaced(settings, session_factory, tmp_path):
    def customers(phones_a: list[str], phones_b: list[str]) -> list[dict]:
        return [{"external_id": "a", "phones": phones_a}, {"external_id": "b", "phones": phones_b}]

    await _import(session_factory, settings, _json(tmp_path, "first.json", customers(
        ["+380501111111", "+380502222222", "+380503333333"], ["+380502222222"])))
    async with session_factory() as session, session.begin():
        a_id = await session.scalar(select(Customer.id).where(Customer.external_id == "a"))
        await session.execute(update(CustomerPhone).where(CustomerPhone.customer_id == a_id,
                                                          CustomerPhone.phone == "+380501111111").values(verified=True))
        session.add(CustomerPhone(customer_id=a_id, phone="+380509999999", verified=True))  # shared in a messenger
    await _import(session_factory, settings, _json(tmp_path, "second.json", customers(
        ["+380503333333", "+380504444444"], ["+380502222222"])))
    assert await _phones(session_factory, "a") == {
        "+380501111111": True, "+380509999999": True, "+380503333333": False, "+380504444444": False}
    # The same number dropped from one customer stays with another who still has it.
    assert await _phones(session_factory, "b") == {"+380502222222": False}


async def test_an_order_of_another_customer_deep_in_a_large_file_names_its_line(settings, session_factory,
                                                                                 tmp_path):
    await _import(session_factory, settings, _json(tmp_path, "owner.json", [
        {"external_id": "owner", "orders": [{"number": "taken", "status": "new"}]}]))
    before = await _snapshot(session_factory)
    index = CHUNK_CUSTOMERS + 200  # in the second chunk
    path = _write(tmp_path, "many.csv", _many_csv(MANY, extra_order_at={index: "taken"}))
    with pytest.raises(ValidationFailed, match="nothing was imported") as caught:
        await _import(session_factory, settings, path)
    # Header is line 1, customer i on line i + 2; the extra order row follows its first row.
    assert caught.value.details == [{"line": index + 3, "external_id": f"m{index}", "field": "orders.number",
                                     "error": "duplicate order taken: it belongs to another customer"}]
    assert await _snapshot(session_factory) == before


async def test_a_conflict_found_while_writing_a_later_chunk_leaves_nothing_written(settings, session_factory):
    """Validation is the first line; the bulk writer checks again, and its refusal rolls back earlier chunks."""
    await _add(session_factory, settings, {"external_id": "owner", "orders": [{"number": "taken", "status": "new"}]})
    before = await _snapshot(session_factory)
    records = [parse_customer({"external_id": f"m{i}", "orders": [{"number": "taken" if i == MANY - 1 else f"o{i}",
                                                                   "status": "new"}]}, region=settings.phone_region,
currency=settings.shop_currency)
               for i in range(MANY)]
    with pytest.raises(ConflictError, match="order.s. taken belong to another customer"):
        async with session_factory() as session, session.begin():
            await import_records(session, settings, records)
    assert await _snapshot(session_factory) == before


async def test_statements_per_chunk_do_not_grow_with_the_records_and_progress_counts_customers(settings, tmp_path):
    engine = create_engine(settings)
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda _conn, _cursor, statement, *_: statements.append(statement.split(None, 1)[0]))
    advanced: list[int] = []
    try:
        report = await _import(create_session_factory(engine), settings,
                               _write(tmp_path, "many.csv", _many_csv(MANY)), progress=advanced.append)
    finally:
        await engine.dispose()
    assert _counts_of(report) == (MANY, 0, MANY, 0)
    assert advanced == [1] * MANY
    chunks = -(-MANY // CHUNK_CUSTOMERS)
    # Per chunk: customers SELECT + INSERT, phones INSERT, orders SELECT + INSERT (nothing existed);
    # then the figures refresh stores its RFM breakpoints (one upsert).
    assert statements.count("INSERT") == 3 * chunks + 1
    # One record at a time took five statements per customer; allow validation and the figures a few.
    assert len(statements) <= 5 * chunks + 15, statements
