"""Import customers and orders from a shop/CRM export (CSV or JSON), all or nothing.

Every row is validated first and every problem reported with its line; when any row is bad
nothing is written. Importing the same file twice changes nothing the second time.

CSV: one row per order with the customer's columns repeated (a customer without orders has one
row with empty order columns). Multi-valued cells (phones, emails, tags) are separated by ``;``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.bulk import upsert_customers
from core.customers.figures import refresh_figures
from core.customers.records import CustomerRecord, problems_of
from core.errors import ValidationFailed
from core.models import Customer, Order
from core.settings import Settings

CUSTOMER_COLUMNS = ("external_id", "name", "phones", "emails", "tags")
ORDER_COLUMNS = {"order_number": "number", "order_status": "status", "order_total": "total",
                 "order_currency": "currency", "order_created_at": "created_at", "order_tracking": "tracking"}
CSV_COLUMNS = (*CUSTOMER_COLUMNS, *ORDER_COLUMNS)
# PostgreSQL cannot store U+0000 in text; SQLite can, and the check is the same on both.
NUL_ERROR = "must not contain the NUL character (U+0000)"
# Order numbers looked up per query; SQLite allows a limited number of bound parameters.
QUERY_CHUNK = 500


@dataclass
class SourceRecord:
    """One customer as read from the file, with the line(s) it came from."""

    line: int
    data: dict
    order_lines: dict[str, int] = field(default_factory=dict)  # order number -> CSV line
    # Its place in a JSON file whose line it shares with other customers (minified JSON): the line
    # alone would not say which customer a problem is about.
    position: int | None = None
    problems: list[dict] = field(default_factory=list)  # found while reading, each with its "line"


@dataclass
class ImportReport:
    """What an import did; "existing" rows were updated where the file differs."""

    customers_created: int = 0
    customers_existing: int = 0
    orders_created: int = 0
    orders_existing: int = 0
    # Messenger shoppers merged into an account by a phone they verified, and split off an account that
    # no longer lists that phone, as core.customers.phone_links lists them.
    linked: list[dict] = field(default_factory=list)
    split_off: list[dict] = field(default_factory=list)


def read_source(path: Path) -> list[SourceRecord]:
    """Read a ``.csv`` or ``.json`` file into customer records with their line numbers.

    Problems of single rows (CSV) travel with their records and are reported by :func:`validate`,
    together with every other problem.

    Raises:
        ValidationFailed: unreadable file, unknown format, a file that does not parse or a bad CSV header.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"cannot read {path}: {exc}") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(text)
    if suffix == ".json":
        return read_json(text)
    raise ValidationFailed(f"{path}: unknown format {suffix!r}; use .csv or .json")


def read_json(text: str) -> list[SourceRecord]:
    """Records of a JSON array of customers, each with the line its object starts on.

    The array is walked record by record to know each one's line, as strictly as ``json.loads``
    (no trailing comma, nothing after the closing ``]``).
    """
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    # A file that does not parse has this one problem: it is the message, without details that
    # would print it a second time.
    if not text.startswith("[", position):
        raise ValidationFailed("JSON import: expected a list of customers")
    position = _skip_space(text, position + 1)
    records = []
    line, counted_to = 1, 0
    while not text.startswith("]", position):
        # Only the newlines since the previous record are counted: a large file stays linear, not quadratic.
        line += text.count("\n", counted_to, position)
        counted_to = position
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise ValidationFailed(f"JSON import: line {exc.lineno}: {exc.msg} (not valid JSON)") from None
        records.append(SourceRecord(line, value))
        position = _skip_space(text, position)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
            if text.startswith("]", position):
                raise _not_json(text, position, "a comma before the closing ']'")
        elif not text.startswith("]", position):
            raise _not_json(text, position, "expected ',' or ']'")
    end = _skip_space(text, position + 1)
    if end < len(text):
        raise _not_json(text, end, "text after the closing ']'")
    shared = {line for line, count in Counter(record.line for record in records).items() if count > 1}
    for number, record in enumerate(records, 1):
        if record.line in shared:
            record.position = number
    return records


def _not_json(text: str, position: int, problem: str) -> ValidationFailed:
    line = text.count("\n", 0, position) + 1
    return ValidationFailed(f"JSON import: line {line}: {problem} (not valid JSON)")


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def read_csv(text: str) -> list[SourceRecord]:
    """Customer records of a CSV export, one customer per ``external_id`` gathering its order rows."""
    # strict: an unclosed quote is an error instead of a cell running on to the end of the file,
    # swallowing every row after it.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    line = 0  # the last line read: an error is in the row after it
    try:
        missing = [column for column in ("external_id",) if column not in (reader.fieldnames or [])]
        unknown = [column for column in reader.fieldnames or [] if column not in CSV_COLUMNS]
        if missing or unknown:
            problems = [{"line": 1, "error": f"missing column {c!r}"} for c in missing]
            problems += [{"line": 1, "error": f"unknown column {c!r}; known: {', '.join(CSV_COLUMNS)}"}
                         for c in unknown]
            raise ValidationFailed("CSV import: bad header", problems)
        by_id: dict[str, SourceRecord] = {}
        line = reader.line_num
        for row in reader:
            line = reader.line_num
            customer = {
                "external_id": (row.get("external_id") or "").strip(),
                "name": (row.get("name") or "").strip() or None,
                **{column: _split(row.get(column)) for column in ("phones", "emails", "tags")},
            }
            record = by_id.get(customer["external_id"])
            if record is None:
                record = by_id[customer["external_id"]] = SourceRecord(line, {**customer, "orders": []})
            elif {k: record.data[k] for k in customer} != customer:
                # The row's order is still checked: every problem is reported in one run.
                record.problems.append({"line": line, "error": f"customer columns differ from line {record.line} "
                                                               "of the same customer"})
            if None in row:
                # The cells are shifted: which one is the order's number or total cannot be told.
                record.problems.append({"line": line, "error": "more cells than columns"})
                continue
            order = {key: (row.get(column) or "").strip() for column, key in ORDER_COLUMNS.items()}
            if any(order.values()):
                record.order_lines.setdefault(order["number"], line)
                record.data["orders"].append({key: value for key, value in order.items() if value})
    except csv.Error as exc:
        raise ValidationFailed(f"CSV import: line {line + 1}: not valid CSV: {exc}") from None
    return list(by_id.values())


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


async def validate(session: AsyncSession, sources: list[SourceRecord], *, region: str, currency: str
                   ) -> list[CustomerRecord]:
    """Every record validated (phones read for ``region``, orders without a currency in ``currency``), or
    ValidationFailed listing every bad row with its line.

    Beyond each record's own checks: an ``external_id`` twice in the file, an order number under
    two customers (in the file, or already another customer's in the database).
    """
    await plan_each_query(session)
    problems: list[dict] = []
    records: list[CustomerRecord] = []
    owner_in_file: dict[str, tuple[str, SourceRecord]] = {}
    seen_ids: dict[str, int] = {}
    for source in sources:
        external_id = _external_id(source)
        problems += [_problem(source, **problem) for problem in source.problems]
        problems += [_problem(source, line=_line_of(source, name), field=name, error=NUL_ERROR)
                     for name in _nul_fields(source.data)]
        try:
            records.append(CustomerRecord.model_validate(source.data, context={"region": region, "currency": currency}))
        except ValidationError as exc:
            problems += [_problem(source, line=_line_of(source, problem["field"]), **problem)
                         for problem in problems_of(exc)]
        # The checks across customers use the file's own values, so a customer with a bad row
        # still has its duplicates reported in the same run.
        if external_id is None:
            continue
        if external_id in seen_ids:
            problems.append(_problem(source, field="external_id",
                                     error=f"customer already given on line {seen_ids[external_id]}"))
            continue
        seen_ids[external_id] = source.line
        for number in _order_numbers(source):
            other, _ = owner_in_file.setdefault(number, (external_id, source))
            if other != external_id:
                problems.append(_problem(source, line=source.order_lines.get(number, source.line),
                                         field="orders.number",
                                         error=f"duplicate order {number}: already listed for customer {other}"))
    problems += await _orders_of_other_customers(session, owner_in_file)
    if problems:
        problems.sort(key=lambda p: (p["line"], p.get("customer", 0)))
        raise ValidationFailed(f"{len(problems)} problem(s); nothing was imported", problems)
    return records


def problem_location(problem: dict) -> str:
    """Where a problem of :func:`validate` is: "line 4", or "customer 20000 (line 1)" in minified JSON."""
    if "customer" in problem:
        return f"customer {problem['customer']} (line {problem['line']})"
    return f"line {problem['line']}"


def _problem(source: SourceRecord, *, line: int | None = None, **problem) -> dict:
    where = {"line": line or source.line, "external_id": _external_id(source)}
    if source.position is not None:
        where["customer"] = source.position
    return where | problem


def _nul_fields(value: object, path: str = "") -> list[str]:
    """The dotted paths ("name", "orders.0.tracking") of every text in ``value`` holding U+0000."""
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [found for key, item in items for found in _nul_fields(item, f"{path}.{key}" if path else str(key))]


def _external_id(source: SourceRecord) -> str | None:
    value = source.data.get("external_id") if isinstance(source.data, dict) else None
    return (value.strip() or None) if isinstance(value, str) else None


def _order_numbers(source: SourceRecord) -> list[str]:
    """The order numbers the record lists, as given (its orders need not be valid)."""
    orders = source.data.get("orders") if isinstance(source.data, dict) else None
    if not isinstance(orders, list):
        return []
    numbers = (order.get("number") for order in orders if isinstance(order, dict))
    return [number.strip() for number in numbers if isinstance(number, str) and number.strip()]


def _line_of(source: SourceRecord, field_path: str) -> int:
    # A CSV problem in orders.N.* points at that order's own row.
    parts = field_path.split(".")
    if len(parts) > 1 and parts[0] == "orders" and parts[1].isdigit() and source.order_lines:
        lines = list(source.order_lines.values())
        index = int(parts[1])
        if index < len(lines):
            return lines[index]
    return source.line


async def plan_each_query(session: AsyncSession) -> None:
    """On PostgreSQL, plan every statement of this transaction for its own values.

    An import repeats the same lookup with hundreds of parameters. After five runs PostgreSQL
    may switch to a generic plan, and right after a large import (no statistics yet) that plan
    scans the table comparing each row with every parameter: ~170 ms instead of ~2 ms a query.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


async def order_owners(session: AsyncSession, numbers: list[str]) -> dict[str, str | None]:
    """The external_id of the customer owning each of ``numbers`` that exists already."""
    owners: dict[str, str | None] = {}
    for start in range(0, len(numbers), QUERY_CHUNK):
        rows = (await session.execute(
            select(Order.number, Customer.external_id).join(Customer, Customer.id == Order.customer_id)
            .where(Order.number.in_(numbers[start:start + QUERY_CHUNK]))
        )).all()
        owners.update(dict(rows))
    return owners


async def _orders_of_other_customers(session: AsyncSession,
                                     owner_in_file: dict[str, tuple[str, SourceRecord]]) -> list[dict]:
    problems = []
    for number, owner in (await order_owners(session, list(owner_in_file))).items():
        wanted, source = owner_in_file[number]
        if owner != wanted:
            problems.append(_problem(source, line=source.order_lines.get(number, source.line), field="orders.number",
                                     error=f"duplicate order {number}: it belongs to another customer"))
    return problems


async def import_records(session: AsyncSession, settings: Settings, records: list[CustomerRecord],
                         progress: Callable[[int], None] | None = None) -> ImportReport:
    """Upsert validated records in bulk and refresh the derived figures once; ``progress(1)`` per customer."""
    await plan_each_query(session)
    upserted = await upsert_customers(session, records, progress)
    await refresh_figures(session, settings)
    return ImportReport(customers_created=len(upserted.created),
                        customers_existing=len(records) - len(upserted.created),
                        orders_created=upserted.orders_created, orders_existing=upserted.orders_existing,
                        linked=upserted.linked, split_off=upserted.split_off)
