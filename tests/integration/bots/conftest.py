"""Fixtures for the channel tests: the API doubles, channel settings and an app client on them."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.support.channels import channel_settings, delivery_test_steps


@pytest.fixture
def channels_settings(settings, backend, telegram, viber):
    """Settings (emptied database) with both channels pointed at the doubles and delivery running."""
    return channel_settings(backend, telegram=telegram, viber=viber)


@pytest.fixture
async def channels_client(channels_settings):
    """An app client serving the webhooks and web chat, delivering through the doubles."""
    from web.app import create_app

    async with AsyncTestClient(app=create_app(channels_settings, flow_steps=delivery_test_steps())) as client:
        yield client


@pytest.fixture
async def demo_kb_client(channels_settings, session_factory):
    """An app client with the product's own flow and NLU over the demo knowledge base, on the doubles."""
    from knowledge_base.demo import seed_demo_articles
    from web.app import create_app

    async with session_factory() as session, session.begin():
        await seed_demo_articles(session)
    async with AsyncTestClient(app=create_app(channels_settings)) as client:
        yield client
