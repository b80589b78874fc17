"""Demo customers with orders (one of them VIP) for ``relaydesk serve --demo``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.figures import refresh_figures
from core.customers.records import parse_customer
from core.customers.service import upsert_customer
from core.database import utcnow
from core.settings import Settings


def demo_customers() -> list[dict]:
    """The demo store's customers in the import shape, with order dates relative to today."""
    now = utcnow()

    def days_ago(days: int) -> str:
        return (now - timedelta(days=days)).isoformat()

    return [
        {"external_id": "demo-1001", "name": "Оксана Коваленко", "phones": ["+380501234567"],
         "emails": ["oksana@example.com"], "tags": ["vip"],
         "orders": [
             {"number": "10234", "status": "shipped", "total": "2450.00", "currency": "UAH",
              "created_at": days_ago(2), "tracking": "20450000123456"},
             {"number": "10188", "status": "delivered", "total": "1290.00", "currency": "UAH",
              "created_at": days_ago(30)},
             {"number": "10107", "status": "delivered", "total": "5600.00", "currency": "UAH",
              "created_at": days_ago(95)},
         ]},
        {"external_id": "demo-1002", "name": "Дмитрий Петренко", "phones": ["+380671112233"],
         "emails": ["dmitry@example.com"], "tags": [],
         "orders": [{"number": "10240", "status": "processing", "total": "780.00", "currency": "UAH",
                     "created_at": days_ago(1)}]},
        {"external_id": "demo-1003", "name": "Emily Carter", "phones": ["+442079460958"],
         "emails": ["emily@example.com"], "tags": [],
         "orders": [{"number": "10199", "status": "ready_for_pickup", "total": "1999.00", "currency": "UAH",
                     "created_at": days_ago(6)}]},
    ]


async def seed_demo_customers(session: AsyncSession) -> None:
    """Add the demo customers and their orders, with their figures computed."""
    settings = Settings()
    for data in demo_customers():
        await upsert_customer(session, parse_customer(data, region=settings.phone_region,
                                                      currency=settings.shop_currency))
    await refresh_figures(session, settings)
