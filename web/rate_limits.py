"""App component: the per-shopper message limiter, shared by the inbound flow through ``services.extras``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.ratelimit import SHOPPER_LIMITER_KEY, create_shopper_limiter
from web.services import AppServices


@asynccontextmanager
async def shopper_rate_limiter(services: AppServices) -> AsyncIterator[None]:
    """Create the limiter (Redis-backed with ``REDIS_URL``) at start and close it at stop."""
    limiter = create_shopper_limiter(services.settings)
    services.extras[SHOPPER_LIMITER_KEY] = limiter
    try:
        yield
    finally:
        services.extras.pop(SHOPPER_LIMITER_KEY, None)
        await limiter.close()
