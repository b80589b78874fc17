"""Helpers for the customers tests: staff tokens per role, shopper messages, customers from records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

from sqlalchemy import select, update

from bots.inbound import InboundMessage
from core.accounts import issue_token
from core.customers.figures import refresh_figures
from core.customers.records import parse_customer
from core.customers.service import upsert_customer
from core.database import utcnow
from core.models import Customer, Order, StaffUser

_updates = count(1)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


async def role_headers(session_factory, *roles: str) -> dict[str, dict[str, str]]:
    """An Authorization header per role, each for a fresh staff account with an API token."""
    headers = {}
    async with session_factory() as session, session.begin():
        for role in roles:
            # API tokens need no password; skipping argon2 keeps the suite fast.
            user = StaffUser(email=f"{role}@shop.test", password_hash="!", role=role, name=role)
            session.add(user)
            await session.flush()
            issued = await issue_token(session, user, kind="api", ttl=None, name=f"{role} test token")
            headers[role] = {"Authorization": f"Bearer {issued.secret}"}
    return headers


async def add_customers(session_factory, settings, *records: dict) -> None:
    """Upsert customer records (import shape) and refresh the figures, as an import would."""
    async with session_factory() as session, session.begin():
        for record in records:
            await upsert_customer(session, parse_customer(record, region=settings.phone_region,
                                                          currency=settings.shop_currency))
        await refresh_figures(session, settings)


def record_with_orders(external_id: str, *orders: tuple[int, str], tags: tuple[str, ...] = ()) -> dict:
    """A customer record (import shape) with delivered orders given as (days ago, total)."""
    return {"external_id": external_id, "tags": list(tags), "orders": [
        {"number": f"{external_id}-{index}", "status": "delivered", "total": total,
         "created_at": (utcnow() - timedelta(days=days)).isoformat()}
        for index, (days, total) in enumerate(orders)]}


async def stored_figures(session_factory) -> dict[str, tuple]:
    """external_id -> (lifetime value, segment, vip, updated_at) as stored."""
    async with session_factory() as session:
        rows = (await session.execute(select(Customer.external_id, Customer.lifetime_value, Customer.rfm_segment,
                                             Customer.vip, Customer.updated_at))).all()
    return {external_id: (Decimal(value), segment, vip, updated) for external_id, value, segment, vip, updated in rows}


async def age_all_customers(session_factory) -> None:
    """Date every customer's updated_at far back, so that any write shows."""
    async with session_factory() as session, session.begin():
        await session.execute(update(Customer).values(updated_at=LONG_AGO))


async def add_walk_in(session_factory) -> int:
    """A customer without a shop account, with one delivered order of 260 today (as the bot creates them)."""
    async with session_factory() as session, session.begin():
        walk_in = Customer(name="Walk-in")
        session.add(walk_in)
        await session.flush()
        session.add(Order(customer_id=walk_in.id, number="W-1", status="delivered", total=Decimal("260"),
                          currency="UAH", created_at=utcnow()))
    return walk_in.id


def shopper(channel: str, user_id: str, *, text: str = "", kind: str = "text", phone: str | None = None,
            payload: dict | None = None, language: str | None = None, name: str = "Shopper") -> InboundMessage:
    """One inbound update from a shopper, with a unique dedup key."""
    return InboundMessage(channel=channel, user_id=user_id, chat_id=user_id, dedup_key=f"u{next(_updates)}",
                          kind=kind, text=text, phone=phone, payload=payload or {}, display_name=name,
                          language_hint=language)


OKSANA = {"external_id": "shop-1", "name": "Оксана", "phones": ["050 123 45 67"], "emails": ["oksana@example.com"],
          "tags": [], "orders": [
              {"number": "10234", "status": "shipped", "total": "2450", "created_at": "2026-11-20T10:00:00+00:00",
               "tracking": "20450000123456"},
              {"number": "10188", "status": "delivered", "total": "1290", "created_at": "2026-10-01T10:00:00+00:00"},
          ]}
DMYTRO = {"external_id": "shop-2", "name": "Дмитро", "phones": ["+380671112233"], "emails": [], "tags": [],
          "orders": [{"number": "20001", "status": "processing", "total": "780",
                      "created_at": "2026-11-21T10:00:00+00:00"}]}
