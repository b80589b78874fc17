"""An article published while Redis is down reaches the other process once its bus subscribes again.

Process A saves the article and announces it, but the announcement cannot be published; process B
checks the revision only hourly here, so the catch-up it runs when its subscription is back is the
only way the article can reach it within the test's deadline.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.asking import ask
from tests.support.channels import eventually
from tests.support.kb import GIFT_WRAPPING_ANSWER, gift_wrapping_body
from tests.support.private_services import private_redis
from tests.support.scaleout import ServeNode, cluster_env
from tests.support.staff import bearer_for
from tests.support.telegram_double import TelegramDouble

pytestmark = pytest.mark.slow


async def test_an_article_published_while_redis_is_down_reaches_the_other_process(backend, settings,
                                                                                   session_factory):
    if not backend.redis_url:
        pytest.skip("processes share the event bus through Redis; this runs in the PostgreSQL + Redis pass")
    editor = await bearer_for(session_factory, "editor")
    with private_redis() as redis, TelegramDouble() as telegram:
        env = cluster_env(settings, telegram, RELAYDESK_REDIS_URL=redis.url)
        first = ServeNode(env)
        second = ServeNode({**env, "RELAYDESK_KB_SYNC_INTERVAL_S": "3600"})
        try:
            await asyncio.gather(asyncio.to_thread(first.start), asyncio.to_thread(second.start))
            async with httpx.AsyncClient(base_url=first.url, headers=editor, timeout=30) as api:
                created = await api.post("/api/articles", json=gift_wrapping_body())
                assert created.status_code == 201, created.text
                await asyncio.to_thread(redis.stop)
                published = await api.post("/api/articles/gift-wrapping/publish")
                assert published.status_code == 200, published.text
            assert GIFT_WRAPPING_ANSWER in await ask(first.url, telegram, "Do you offer gift wrapping?")
            assert GIFT_WRAPPING_ANSWER not in await ask(second.url, telegram, "Do you offer gift wrapping?")

            await asyncio.to_thread(redis.start)

            async def second_answers_from_the_article() -> bool:
                return GIFT_WRAPPING_ANSWER in await ask(second.url, telegram, "Do you offer gift wrapping?")

            await eventually(second_answers_from_the_article, within=60)
        finally:
            first.stop()
            second.stop()
