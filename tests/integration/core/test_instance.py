"""The generated secret key is stored once and shared by every process."""

import asyncio

from core.instance import get_or_create_secret_key


async def test_secret_key_is_generated_once_and_then_reused(session_factory) -> None:
    first = await get_or_create_secret_key(session_factory)
    second = await get_or_create_secret_key(session_factory)
    assert first == second
    assert len(first) >= 48


async def test_concurrent_first_starts_agree_on_one_key(session_factory) -> None:
    keys = await asyncio.gather(*(get_or_create_secret_key(session_factory) for _ in range(5)))
    assert len(set(keys)) == 1
