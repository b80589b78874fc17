"""Token-bucket rate limits per key (e.g. per shopper), in-process or shared through Redis.

Each key has a bucket of ``burst`` tokens that refills at ``rate_per_second``; a hit takes one token
or is refused. The first refusal of a streak is flagged so the caller can say "slow down" once.
With ``REDIS_URL`` set the buckets live in Redis (one atomic script per hit, Redis's clock), so
every process sees the same budget.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

from core.settings import Settings

logger = logging.getLogger(__name__)

# Where the app keeps the shopper limiter in ``services.extras`` (the inbound flow's services).
SHOPPER_LIMITER_KEY = "shopper_rate_limiter"
# Buckets idle long enough to be full again carry no information; the memory backend forgets them
# once it holds this many keys.
MEMORY_PRUNE_AT = 10_000


@dataclass(frozen=True)
class Verdict:
    """The outcome of one hit: allowed, or refused (``first_refusal`` for the first of a streak)."""

    allowed: bool
    first_refusal: bool = False


class RateLimiter(ABC):
    """A token bucket per key."""

    def __init__(self, *, burst: int, rate_per_second: float) -> None:
        self.burst = burst
        self.rate = rate_per_second

    @abstractmethod
    async def hit(self, key: str) -> Verdict:
        """Take one token from ``key``'s bucket."""

    async def close(self) -> None:
        """Release connections."""


class MemoryRateLimiter(RateLimiter):
    """Buckets in this process (the embedded single-process setup)."""

    def __init__(self, *, burst: int, rate_per_second: float) -> None:
        super().__init__(burst=burst, rate_per_second=rate_per_second)
        self._buckets: dict[str, tuple[float, float, bool]] = {}  # key -> (tokens, updated, warned)

    async def hit(self, key: str) -> Verdict:
        now = time.monotonic()
        tokens, updated, warned = self._buckets.get(key, (float(self.burst), now, False))
        tokens = min(float(self.burst), tokens + (now - updated) * self.rate)
        if tokens >= 1:
            verdict, tokens, warned = Verdict(True), tokens - 1, False
        else:
            verdict, warned = Verdict(False, first_refusal=not warned), True
        if len(self._buckets) >= MEMORY_PRUNE_AT:
            self._prune(now)
        self._buckets[key] = (tokens, now, warned)
        return verdict

    def _prune(self, now: float) -> None:
        full_after = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}


# KEYS[1] bucket; ARGV burst, rate per second. Returns {allowed, first_refusal}.
_REDIS_SCRIPT = """
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated', 'warned')
local tokens = tonumber(state[1]) or burst
local updated = tonumber(state[2]) or now
local warned = tonumber(state[3]) or 0
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local allowed, first = 0, 0
if tokens >= 1 then
  tokens, allowed, warned = tokens - 1, 1, 0
elseif warned == 0 then
  first, warned = 1, 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now), 'warned', warned)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, first}
"""


class RedisRateLimiter(RateLimiter):
    """Buckets in Redis, shared by every process with the same Redis and prefix."""

    def __init__(self, redis_url: str, prefix: str, *, burst: int, rate_per_second: float) -> None:
        super().__init__(burst=burst, rate_per_second=rate_per_second)
        from redis.asyncio import Redis
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        self._redis = Redis.from_url(redis_url, decode_responses=True)
        self._prefix = f"{prefix}:ratelimit:"
        self._script = self._redis.register_script(_REDIS_SCRIPT)
        self._unreachable = (RedisConnectionError, RedisTimeoutError)

    async def hit(self, key: str) -> Verdict:
        """Take a token; allowed while Redis is unreachable (see below)."""
        try:
            allowed, first = await self._script(keys=[self._prefix + key], args=[self.burst, self.rate])
        except self._unreachable as exc:
            # The limit only protects the bot from a flooding shopper: refusing every shopper's
            # message (the webhook would fail, so nothing is stored) while Redis restarts is worse.
            logger.warning("rate limit for %s not checked: Redis unreachable (%s)", key, exc)
            return Verdict(True)
        return Verdict(bool(allowed), first_refusal=bool(first))

    async def close(self) -> None:
        await self._redis.aclose()


def create_shopper_limiter(settings: Settings) -> RateLimiter:
    """The per-shopper message limiter: Redis-backed when ``REDIS_URL`` is set."""
    rate = settings.shopper_rate_per_minute / 60
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url, settings.redis_prefix, burst=settings.shopper_burst,
                                rate_per_second=rate)
    return MemoryRateLimiter(burst=settings.shopper_burst, rate_per_second=rate)
