"""The generated secret key: created once on first start, the same for every later caller."""

from core.instance import get_or_create_secret_key


async def test_secret_key_is_generated_once_and_reused(session_factory) -> None:
    first = await get_or_create_secret_key(session_factory)
    assert len(first) >= 32
    assert await get_or_create_secret_key(session_factory) == first
