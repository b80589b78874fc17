"""Customer records written in bulk: a fixed handful of statements per chunk, whatever its size.

One chunk of records costs one SELECT of its customers, one INSERT ... RETURNING of the new ones,
one UPDATE (executemany) of the changed ones, one SELECT of the phones of its existing customers, a
DELETE and an INSERT of phones, one SELECT of its orders, one INSERT and one UPDATE (executemany)
of orders. Rows whose stored values already match are not written, so writing the same records
again changes nothing, not even ``updated_at``. Two more SELECTs per chunk find the verified phones
the shop removed and the shoppers holding the phones it wrote (:mod:`core.customers.phone_links`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from core.customers.phone_links import PHONE_HOLDERS, link_verified_shoppers, split_off_removed_phones
from core.customers.records import CustomerRecord, OrderRecord
from core.database import utcnow
from core.errors import ConflictError
from core.models import Customer, CustomerPhone, Order

# Customers per chunk: large enough that per-statement overhead vanishes, small enough that its
# IN lists stay under SQLite's historical 999 bound parameters.
CHUNK_CUSTOMERS = 500
ORDER_FIELDS = ("status", "total", "currency", "tracking", "items", "created_at")
# The ORM leaves NULL values out of a bulk INSERT row, and rows with different columns cannot share
# one multi-row statement: an empty name or tracking number would split a chunk into many INSERTs.
INSERT_NULLS = {"render_nulls": True}


@dataclass
class Upserted:
    """What :func:`upsert_customers` did."""

    ids: dict[str, int] = field(default_factory=dict)  # external_id -> customer id
    created: set[str] = field(default_factory=set)  # external_ids of the customers it created
    orders_created: int = 0
    orders_existing: int = 0
    # Messenger shoppers merged into an account by a phone they verified, and split off again because
    # the shop removed that phone (core.customers.phone_links).
    linked: list[dict] = field(default_factory=list)
    split_off: list[dict] = field(default_factory=list)


def parameter_limit(session: AsyncSession) -> int:
    """How many bound parameters one statement may carry on this session's database.

    SQLAlchemy keeps this per dialect for its own multi-row INSERTs (999 on SQLite before 3.32,
    about 32,700 elsewhere); the same ceiling bounds our IN lists.
    """
    return session.get_bind().dialect.insertmanyvalues_max_parameters


def chunks(records: Iterable[CustomerRecord], *, max_orders: int) -> Iterator[list[CustomerRecord]]:
    """Consecutive records, at most :data:`CHUNK_CUSTOMERS` customers and ``max_orders`` orders each.

    A single customer with more orders than ``max_orders`` forms a chunk of its own.
    """
    chunk: list[CustomerRecord] = []
    orders = 0
    for record in records:
        if chunk and (len(chunk) == CHUNK_CUSTOMERS or orders + len(record.orders) > max_orders):
            yield chunk
            chunk, orders = [], 0
        chunk.append(record)
        orders += len(record.orders)
    if chunk:
        yield chunk


async def upsert_customers(session: AsyncSession, records: Sequence[CustomerRecord],
                           progress: Callable[[int], None] | None = None) -> Upserted:
    """Create or update the customers of ``records`` with their phones and orders, chunk by chunk.

    The shop owns name, e-mails, tags and unverified phones, so they are replaced (a missing name
    keeps the stored one); phones the shopper verified in a messenger are kept, unless the shopper
    came to the account only through that phone: then they are split off with it. A shopper who
    verified one of the phones before is merged into its account (:mod:`core.customers.phone_links`).
    The records must
    name distinct customers and distinct order numbers (the importer's validation ensures it).
    ``progress(1)`` is called for each customer once its chunk is written.

    Raises:
        ConflictError: an order of a record belongs to another customer.
    """
    upserted = Upserted()
    for chunk in chunks(records, max_orders=parameter_limit(session)):
        existing = await _write_customers(session, chunk, upserted)
        upserted.split_off += await _split_off_removed(session, chunk, upserted.ids, existing)
        await _write_phones(session, chunk, upserted.ids, existing)
        created, kept = await upsert_orders(
            session, [(upserted.ids[record.external_id], order) for record in chunk for order in record.orders])
        upserted.orders_created += created
        upserted.orders_existing += kept
        phones = sorted({phone for record in chunk for phone in record.phones})
        upserted.linked += await link_verified_shoppers(
            session, await _rows_in(session, PHONE_HOLDERS, CustomerPhone.phone, phones))
        if progress:
            for _ in chunk:
                progress(1)
    return upserted


async def _write_customers(session: AsyncSession, chunk: list[CustomerRecord], upserted: Upserted) -> set[int]:
    """Insert the new customers and update the changed ones; returns the ids that existed before."""
    stored = {row.external_id: row for row in (await session.execute(
        select(Customer.id, Customer.external_id, Customer.name, Customer.emails, Customer.tags)
        .where(Customer.external_id.in_([record.external_id for record in chunk]))
    )).all()}
    new = [{"external_id": record.external_id, **_customer_values(record, None)}
           for record in chunk if record.external_id not in stored]
    if new:
        inserted = await session.execute(insert(Customer).returning(Customer.id, Customer.external_id), new,
                                         execution_options=INSERT_NULLS)
        upserted.ids.update({external_id: customer_id for customer_id, external_id in inserted})
        upserted.created.update(values["external_id"] for values in new)
    changed = []
    for record in chunk:
        row = stored.get(record.external_id)
        if row is None:
            continue
        upserted.ids[record.external_id] = row.id
        values = _customer_values(record, row)
        if _differs(row, values):
            changed.append({"id": row.id, **values})
    if changed:
        await session.execute(update(Customer), changed)
    return {row.id for row in stored.values()}


def _customer_values(record: CustomerRecord, row: Row | None) -> dict:
    return {"name": record.name if record.name is not None or row is None else row.name,
            "emails": list(record.emails), "tags": list(record.tags)}


def _differs(row: Row, values: dict) -> bool:
    # Only real changes are written so that a repeated import does not touch updated_at.
    return any(getattr(row, name) != value for name, value in values.items())


async def _split_off_removed(session: AsyncSession, chunk: list[CustomerRecord], ids: dict[str, int],
                             existing: set[int]) -> list[dict]:
    """Split off the shoppers who came to an account through a verified phone its record no longer lists.

    Only a record that lists its phones (an empty list too) removes any: one that leaves them out says
    nothing about them.
    """
    wanted = {ids[record.external_id]: record.phones for record in chunk if "phones" in record.model_fields_set}
    existing = existing & set(wanted)
    if not existing:
        return []
    removed: dict[int, set[str]] = defaultdict(set)
    for customer_id, phone in (await session.execute(
        select(CustomerPhone.customer_id, CustomerPhone.phone)
        .where(CustomerPhone.customer_id.in_(existing), CustomerPhone.verified.is_(True))
    )).all():
        if phone not in wanted[customer_id]:
            removed[customer_id].add(phone)
    split = []
    for customer_id, phones in sorted(removed.items()):
        split += await split_off_removed_phones(session, customer_id, phones, wanted[customer_id])
    return split


async def _write_phones(session: AsyncSession, chunk: list[CustomerRecord], ids: dict[str, int],
                        existing: set[int]) -> None:
    """Give each customer the record's phones: unverified ones not in the record go, verified ones stay."""
    wanted = {ids[record.external_id]: record.phones for record in chunk}
    stored: dict[int, set[str]] = {customer_id: set() for customer_id in wanted}
    dropped = []
    if existing:
        for phone_id, customer_id, phone, verified in (await session.execute(
            select(CustomerPhone.id, CustomerPhone.customer_id, CustomerPhone.phone, CustomerPhone.verified)
            .where(CustomerPhone.customer_id.in_(existing))
        )).all():
            stored[customer_id].add(phone)
            if not verified and phone not in wanted[customer_id]:
                dropped.append(phone_id)
    for part in _slices(dropped, parameter_limit(session)):
        await session.execute(delete(CustomerPhone).where(CustomerPhone.id.in_(part)))
    added = [{"customer_id": customer_id, "phone": phone, "verified": False}
             for customer_id, phones in wanted.items() for phone in phones if phone not in stored[customer_id]]
    if added:
        await session.execute(insert(CustomerPhone), added, execution_options=INSERT_NULLS)


async def upsert_orders(session: AsyncSession, owned: Sequence[tuple[int, OrderRecord]]) -> tuple[int, int]:
    """Create or update each order for the customer id it is paired with; order numbers must be distinct.

    Returns:
        How many orders were created and how many existed already.

    Raises:
        ConflictError: an order number belongs to another customer (nothing of these orders is written).
    """
    stored = {row.number: row for row in await _rows_in(
        session, select(Order.id, Order.number, Order.customer_id, *(getattr(Order, name) for name in ORDER_FIELDS)),
        Order.number, [order.number for _, order in owned])}
    taken = sorted(order.number for customer_id, order in owned
                   if order.number in stored and stored[order.number].customer_id != customer_id)
    if taken:
        raise ConflictError(f"order(s) {', '.join(taken)} belong to another customer")
    new, changed = [], []
    for customer_id, order in owned:
        row = stored.get(order.number)
        values = _order_values(order, row)
        if row is None:
            new.append({"customer_id": customer_id, "number": order.number, **values})
        elif _differs(row, values):
            changed.append({"id": row.id, **values})
    if new:
        await session.execute(insert(Order), new, execution_options=INSERT_NULLS)
    if changed:
        await session.execute(update(Order), changed)
    return len(new), len(owned) - len(new)


def _order_values(record: OrderRecord, row: Row | None) -> dict:
    # An order the shop sends without a date keeps the stored one (or is dated now when new).
    created_at = record.created_at or (row.created_at if row is not None else utcnow())
    return {"status": record.status, "total": record.total, "currency": record.currency,
            "tracking": record.tracking, "items": record.items, "created_at": created_at}


async def _rows_in(session: AsyncSession, statement, column: InstrumentedAttribute, values: list) -> list[Row]:
    """The rows of ``statement`` whose ``column`` is one of ``values``, in as few queries as the limit allows."""
    rows: list[Row] = []
    for part in _slices(values, parameter_limit(session)):
        rows += (await session.execute(statement.where(column.in_(part)))).all()
    return rows


def _slices(values: list, size: int) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
