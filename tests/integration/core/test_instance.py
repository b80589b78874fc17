"""The installation's secret key when SECRET_KEY is not set."""

import asyncio

from core.instance import get_or_create_secret_key


async def test_secret_key_is_generated_once_and_shared(session_factory):
    # regression: the first start without RELAYDESK_SECRET_KEY failed ("a transaction is already begun")
    first = await get_or_create_secret_key(session_factory)
    assert len(first) >= 32
    again = await asyncio.gather(*(get_or_create_secret_key(session_factory) for _ in range(3)))
    assert again == [first] * 3
