"""Customers and orders: lookups, idempotent upserts from shop data, and the customer card."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.records import CustomerRecord, OrderRecord
from core.database import utcnow
from core.errors import ConflictError, NotFoundError, ValidationFailed
from core.models import Conversation, Customer, CustomerPhone, Identity, Order

# Orders that no longer count towards what a customer has spent.
NOT_SPENT_STATUSES = frozenset({"cancelled", "canceled", "refunded", "returned", "failed"})


async def get(session: AsyncSession, *, customer_id: int) -> Customer:
    """The customer with this id.

    Raises:
        NotFoundError: no such customer.
    """
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError(f"no customer with id {customer_id}")
    return customer


async def get_by_external_id(session: AsyncSession, *, external_id: str) -> Customer | None:
    """The customer the shop knows as ``external_id``, or None."""
    return await session.scalar(select(Customer).where(Customer.external_id == external_id))


async def get_by_reference(session: AsyncSession, *, reference: str | int) -> Customer:
    """The customer named by the shop's ``external_id``, or else by our numeric id, following merges.

    Raises:
        NotFoundError: neither matches.
    """
    customer = await get_by_external_id(session, external_id=str(reference))
    if customer is None and str(reference).isdigit():
        customer = await session.get(Customer, int(reference))
    if customer is None:
        raise NotFoundError(f"no customer {reference!r} (neither an external_id nor an id)")
    return await surviving(session, customer)


async def surviving(session: AsyncSession, customer: Customer) -> Customer:
    """The customer that ``customer`` was merged into (transitively), or itself."""
    seen = {customer.id}
    while customer.merged_into_id is not None and customer.merged_into_id not in seen:
        seen.add(customer.merged_into_id)
        customer = await get(session, customer_id=customer.merged_into_id)
    return customer


async def upsert_customer(session: AsyncSession, record: CustomerRecord) -> tuple[Customer, bool]:
    """Create or update the customer ``record.external_id`` with its orders; the same record twice changes nothing.

    The shop owns name, e-mails, tags and unverified phones, so they are replaced; phones the
    shopper verified in a messenger are kept.

    Returns:
        The customer and whether it was created.

    Raises:
        ConflictError: an order of the record belongs to another customer.
    """
    customer = await get_by_external_id(session, external_id=record.external_id)
    created = customer is None
    if customer is None:
        customer = Customer(external_id=record.external_id, emails=[], tags=[])
        session.add(customer)
        await session.flush()
    await _check_orders_are_free(session, customer.id, record.orders)
    if customer.name != record.name and record.name is not None:
        customer.name = record.name
    if customer.emails != record.emails:
        customer.emails = list(record.emails)
    if customer.tags != record.tags:
        customer.tags = list(record.tags)
    await _replace_unverified_phones(session, customer, record.phones)
    for order in record.orders:
        await upsert_order(session, customer, order)
    return customer, created


async def _replace_unverified_phones(session: AsyncSession, customer: Customer, phones: list[str]) -> None:
    rows = (await session.scalars(select(CustomerPhone).where(CustomerPhone.customer_id == customer.id))).all()
    have = {row.phone: row for row in rows}
    for row in rows:
        if not row.verified and row.phone not in phones:
            await session.delete(row)
    for phone in phones:
        if phone not in have:
            session.add(CustomerPhone(customer_id=customer.id, phone=phone, verified=False))
    await session.flush()


async def _check_orders_are_free(session: AsyncSession, customer_id: int, orders: list[OrderRecord]) -> None:
    if not orders:
        return
    owners = (await session.execute(
        select(Order.number, Order.customer_id).where(Order.number.in_([o.number for o in orders]))
    )).all()
    taken = sorted(number for number, owner in owners if owner != customer_id)
    if taken:
        raise ConflictError(f"order(s) {', '.join(taken)} belong to another customer")


async def upsert_order(session: AsyncSession, customer: Customer, record: OrderRecord) -> tuple[Order, bool]:
    """Create or update the order ``record.number`` of ``customer``.

    Returns:
        The order and whether it was created.

    Raises:
        ConflictError: the order number belongs to another customer (a duplicate order).
    """
    order = await session.scalar(select(Order).where(Order.number == record.number))
    if order is not None and order.customer_id != customer.id:
        raise ConflictError(f"order {record.number} belongs to another customer")
    created = order is None
    if order is None:
        order = Order(customer_id=customer.id, number=record.number, created_at=record.created_at or utcnow())
        session.add(order)
    values = {"status": record.status, "total": record.total, "currency": record.currency,
              "tracking": record.tracking, "items": record.items}
    if record.created_at is not None:
        values["created_at"] = record.created_at
    for name, value in values.items():
        # Assign only real changes so that a repeated import does not touch updated_at.
        if getattr(order, name) != value:
            setattr(order, name, value)
    await session.flush()
    return order, created


async def upsert_order_for(session: AsyncSession, *, customer_external_id: str, record: OrderRecord
                           ) -> tuple[Order, bool]:
    """Upsert an order for the customer the shop knows as ``customer_external_id``.

    Raises:
        ValidationFailed: no such customer (push the customer first).
        ConflictError: the order number belongs to another customer.
    """
    customer = await get_by_external_id(session, external_id=customer_external_id)
    if customer is None:
        raise ValidationFailed(
            f"order {record.number} is for unknown customer {customer_external_id!r}; "
            f"PUT /api/customers/{customer_external_id} first",
            [{"field": "customer_external_id", "error": "unknown customer"}],
        )
    return await upsert_order(session, await surviving(session, customer), record)


async def orders_of(session: AsyncSession, customer_id: int, *, limit: int | None = None) -> list[Order]:
    """The customer's orders, newest first."""
    statement = (select(Order).where(Order.customer_id == customer_id)
                 .order_by(Order.created_at.desc(), Order.id.desc()))
    if limit:
        statement = statement.limit(limit)
    return list((await session.scalars(statement)).all())


def money(value: Decimal) -> str:
    """An amount as text with two decimals, however it was computed or loaded."""
    return f"{Decimal(value):.2f}"


def order_view(order: Order) -> dict:
    """An order as the API shows it."""
    return {"number": order.number, "status": order.status, "total": money(order.total), "currency": order.currency,
            "created_at": order.created_at.isoformat(), "updated_at": order.updated_at.isoformat(),
            "tracking": order.tracking, "items": order.items}


async def customer_card(session: AsyncSession, customer: Customer) -> dict:
    """Everything an agent sees about a customer (the ``GET /api/customers/{id}`` shape)."""
    await session.refresh(customer, ["identities", "phones"])
    conversations = (await session.scalars(
        select(Conversation).where(Conversation.customer_id == customer.id).order_by(Conversation.id.desc())
    )).all()
    identities = sorted(customer.identities, key=lambda identity: identity.id)
    return {
        "id": customer.id,
        "external_id": customer.external_id,
        "name": customer.name,
        "phones": [p.phone for p in sorted(customer.phones, key=lambda p: p.id)],
        "verified_phones": [p.phone for p in customer.phones if p.verified],
        "emails": list(customer.emails or []),
        "identities": [_identity_view(identity) for identity in identities],
        "tags": list(customer.tags or []),
        "vip": customer.vip,
        "lifetime_value": money(customer.lifetime_value),
        "rfm_segment": customer.rfm_segment,
        "language": customer.preferred_language,
        "marketing_opt_out": customer.marketing_opt_out,
        "merged_into_id": customer.merged_into_id,
        "erased": customer.erased_at is not None,
        "orders": [order_view(order) for order in await orders_of(session, customer.id)],
        "conversations": [
            {"id": c.id, "status": c.status, "channel": c.channel, "handoff_reason": c.handoff_reason,
             "csat_score": c.csat_score, "created_at": c.created_at.isoformat(), "updated_at": c.updated_at.isoformat()}
            for c in conversations
        ],
    }


def _identity_view(identity: Identity) -> dict:
    return {"channel": identity.channel, "external_id": identity.external_id, "display_name": identity.display_name,
            "username": identity.username, "subscribed": identity.subscribed,
            "last_seen_at": identity.last_seen_at.isoformat() if identity.last_seen_at else None}
