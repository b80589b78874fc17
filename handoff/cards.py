"""The customer card the console shows beside a conversation."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.service import customer_card as stored_card
from core.errors import NotFoundError
from core.models import Customer
from core.settings import Settings
from handoff.routing import is_vip


async def customer_card(session: AsyncSession, *, customer_id: int, settings: Settings) -> dict:
    """The customers' card (``GET /api/customers/{id}`` shape), with VIP as routing sees it right now.

    The stored VIP flag is recomputed on imports and pushes; routing also applies the rule to the
    customer as they are, so the card says what the queue did.
    """
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError(f"customer {customer_id} does not exist")
    return {**await stored_card(session, customer), "vip": is_vip(customer, settings)}
