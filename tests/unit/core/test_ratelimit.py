"""Token buckets: burst, refill, one "first refusal" per streak, keys independent; Redis shared."""

import asyncio
import uuid

import pytest

from core.ratelimit import MemoryRateLimiter, RedisRateLimiter, create_shopper_limiter
from tests.conftest import make_settings
from tests.support.server import free_port

NO_REDIS = "the embedded backend has no Redis; this runs in the PostgreSQL + Redis pass"


@pytest.fixture(params=["memory", "redis"])
async def make_limiter(request, backend):
    if request.param == "redis" and not backend.redis_url:
        pytest.skip(NO_REDIS)
    made = []
    prefix = f"rdtest-{uuid.uuid4().hex[:8]}"

    def make(burst: int, rate: float):
        if request.param == "memory":
            limiter = MemoryRateLimiter(burst=burst, rate_per_second=rate)
        else:
            limiter = RedisRateLimiter(backend.redis_url, prefix, burst=burst, rate_per_second=rate)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        await limiter.close()


async def test_burst_then_one_first_refusal_then_silent_refusals(make_limiter) -> None:
    limiter = make_limiter(3, 0.001)
    verdicts = [await limiter.hit("a") for _ in range(6)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False, False]
    assert [v.first_refusal for v in verdicts] == [False, False, False, True, False, False]
    # Another key has its own bucket.
    assert (await limiter.hit("b")).allowed


async def test_the_bucket_refills_and_a_new_streak_warns_again(make_limiter) -> None:
    limiter = make_limiter(1, 20)  # one token every 50 ms
    assert (await limiter.hit("a")).allowed
    assert (await limiter.hit("a")).first_refusal
    await asyncio.sleep(0.12)
    assert (await limiter.hit("a")).allowed
    again = await limiter.hit("a")
    assert (again.allowed, again.first_refusal) == (False, True)


async def test_the_settings_pick_the_backend_and_the_budget(backend) -> None:
    limiter = create_shopper_limiter(make_settings(backend, shopper_burst=4, shopper_rate_per_minute=30))
    try:
        assert isinstance(limiter, RedisRateLimiter if backend.redis_url else MemoryRateLimiter)
        assert (limiter.burst, limiter.rate) == (4, 0.5)
    finally:
        await limiter.close()


async def test_redis_buckets_are_shared_between_limiters(backend) -> None:
    if not backend.redis_url:
        pytest.skip(NO_REDIS)
    prefix = f"rdtest-{uuid.uuid4().hex[:8]}"
    first = RedisRateLimiter(backend.redis_url, prefix, burst=2, rate_per_second=0.001)
    second = RedisRateLimiter(backend.redis_url, prefix, burst=2, rate_per_second=0.001)
    try:
        assert (await first.hit("a")).allowed
        assert (await second.hit("a")).allowed
        refused = await first.hit("a")
        assert (refused.allowed, refused.first_refusal) == (False, True)
        assert (await second.hit("a")).first_refusal is False
    finally:
        await first.close()
        await second.close()


async def test_redis_limiter_lets_messages_through_while_redis_is_unreachable() -> None:
    """Regression: while Redis restarted every webhook failed in the throttle step, so nothing was stored
    (found by tests/integration/scaleout/test_restarts.py)."""
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{free_port()}/0", "rdtest", burst=1, rate_per_second=0.001)
    try:
        assert [(await limiter.hit("a")).allowed for _ in range(3)] == [True, True, True]
    finally:
        await limiter.close()
