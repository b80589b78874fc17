"""Customers and orders: lookups, idempotent upserts from shop data, and the customer card."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.bulk import Upserted, upsert_customers, upsert_orders
from core.customers.records import CustomerRecord, OrderRecord
from core.errors import NotFoundError, ValidationFailed
from core.models import Conversation, Customer, Identity, Order

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


async def get_shop_customer(session: AsyncSession, *, external_id: str) -> Customer:
    """The customer the shop knows as ``external_id``, following merges.

    Only the shop's id names a customer here: a shop's ids are often numbers, and reading an unknown
    one as our own id would pick another shopper (who would then get this one's link or notification).

    Raises:
        NotFoundError: no customer has this external_id.
    """
    customer = await get_by_external_id(session, external_id=external_id)
    if customer is None:
        raise NotFoundError(f"no customer with external_id {external_id!r}; PUT /api/customers/{external_id} first")
    return await surviving(session, customer)


async def surviving(session: AsyncSession, customer: Customer) -> Customer:
    """The customer that ``customer`` was merged into (transitively), or itself."""
    seen = {customer.id}
    while customer.merged_into_id is not None and customer.merged_into_id not in seen:
        seen.add(customer.merged_into_id)
        customer = await get(session, customer_id=customer.merged_into_id)
    return customer


async def upsert_customer(session: AsyncSession, record: CustomerRecord) -> tuple[Customer, Upserted]:
    """Create or update the customer ``record.external_id`` with its orders; the same record twice changes nothing.

    A chunk of one for :func:`core.customers.bulk.upsert_customers`, which says what is replaced
    and what is kept.

    Returns:
        The customer as now stored, and what was done (created, shoppers linked or split off).

    Raises:
        ConflictError: an order of the record belongs to another customer.
    """
    upserted = await upsert_customers(session, [record])
    # Reloaded: a copy already in the session would not show what the bulk statements wrote.
    customer = await session.scalar(select(Customer).where(Customer.id == upserted.ids[record.external_id])
                                     .execution_options(populate_existing=True))
    return customer, upserted


async def upsert_order(session: AsyncSession, customer: Customer, record: OrderRecord) -> tuple[Order, bool]:
    """Create or update the order ``record.number`` of ``customer``.

    Returns:
        The order as now stored and whether it was created.

    Raises:
        ConflictError: the order number belongs to another customer (a duplicate order).
    """
    created, _ = await upsert_orders(session, [(customer.id, record)])
    # Reloaded: a copy already in the session would not show what the bulk statements wrote.
    order = await session.scalar(select(Order).where(Order.number == record.number)
                                 .execution_options(populate_existing=True))
    return order, created == 1


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


def spent_by_currency(orders: list[Order]) -> dict[str, str]:
    """What the orders that count as spent add up to in each currency (lifetime value is the shop's one)."""
    totals: dict[str, Decimal] = {}
    for order in orders:
        if order.status not in NOT_SPENT_STATUSES:
            totals[order.currency] = totals.get(order.currency, Decimal("0")) + order.total
    return {currency: money(total) for currency, total in sorted(totals.items())}


async def customer_card(session: AsyncSession, customer: Customer) -> dict:
    """Everything an agent sees about a customer (the ``GET /api/customers/{id}`` shape)."""
    await session.refresh(customer, ["identities", "phones"])
    conversations = (await session.scalars(
        select(Conversation).where(Conversation.customer_id == customer.id).order_by(Conversation.id.desc())
    )).all()
    identities = sorted(customer.identities, key=lambda identity: identity.id)
    orders = await orders_of(session, customer.id)
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
        "spent_by_currency": {} if customer.erased_at is not None else spent_by_currency(orders),
        "rfm_segment": customer.rfm_segment,
        "language": customer.preferred_language,
        "marketing_opt_out": customer.marketing_opt_out,
        "merged_into_id": customer.merged_into_id,
        "erased": customer.erased_at is not None,
        "orders": [order_view(order) for order in orders],
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
