"""Helpers for the customers tests: staff tokens per role, shopper messages, customers from records."""

from __future__ import annotations

from itertools import count

from bots.inbound import InboundMessage
from core.accounts import issue_token
from core.customers.figures import refresh_figures
from core.customers.records import parse_customer
from core.customers.service import upsert_customer
from core.models import StaffUser

_updates = count(1)


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
            await upsert_customer(session, parse_customer(record, region=settings.phone_region))
        await refresh_figures(session, settings)


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
