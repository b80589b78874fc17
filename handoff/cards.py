"""The customer card the console shows beside a conversation, read straight from the core tables."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFoundError
from core.models import Conversation, Customer, Order
from core.settings import Settings
from handoff.routing import is_vip

MAX_ORDERS = 20
MAX_CONVERSATIONS = 20


async def customer_card(session: AsyncSession, *, customer_id: int, settings: Settings) -> dict:
    """Name, phones, linked channels, tags, VIP, lifetime value, segment, orders and past conversations."""
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError(f"customer {customer_id} does not exist")
    orders = (await session.scalars(
        select(Order).where(Order.customer_id == customer_id).order_by(Order.created_at.desc()).limit(MAX_ORDERS)
    )).all()
    conversations = (await session.scalars(
        select(Conversation).where(Conversation.customer_id == customer_id)
        .order_by(Conversation.id.desc()).limit(MAX_CONVERSATIONS)
    )).all()
    return {
        "id": customer.id,
        "name": customer.name,
        "phones": [phone.phone for phone in customer.phones],
        "emails": list(customer.emails or []),
        "identities": [{"channel": i.channel, "external_id": i.external_id, "display_name": i.display_name,
                        "username": i.username} for i in customer.identities],
        "tags": list(customer.tags or []),
        "vip": is_vip(customer, settings),
        "lifetime_value": str(customer.lifetime_value or 0),
        "rfm_segment": customer.rfm_segment,
        "language": customer.preferred_language,
        "orders": [{"number": o.number, "status": o.status, "total": str(o.total), "currency": o.currency,
                    "tracking": o.tracking, "created_at": o.created_at.isoformat()} for o in orders],
        "conversations": [{"id": c.id, "status": c.status, "channel": c.channel, "handoff_reason": c.handoff_reason,
                           "csat_score": c.csat_score, "created_at": c.created_at.isoformat()}
                          for c in conversations],
    }
