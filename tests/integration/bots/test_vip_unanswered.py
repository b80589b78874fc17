"""A VIP the bot cannot answer is passed to a person without being told to write «оператор» first."""

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from core.models import Conversation, Customer
from handoff.config import HandoffConfig
from knowledge_base.demo import seed_demo_articles
from tests.support import telegram_payloads as tp
from tests.support.channels import post_telegram
from tests.support.handoff import make_agent, make_team

UNANSWERABLE = "а можна якось інакше це зробити?"


@pytest.fixture
async def client(channels_settings, session_factory):
    """The app with the product's flow over the demo articles, and a VIP team whose supervisor is online."""
    from web.app import create_app

    async with session_factory() as session, session.begin():
        await seed_demo_articles(session)
    await make_team(session_factory, "support", skills=["general"])
    await make_team(session_factory, "vip", is_vip=True)
    await make_agent(session_factory, "taras@shop.ua", team="vip", role="supervisor", status="online", name="Taras")
    async with AsyncTestClient(app=create_app(channels_settings)) as client:
        client.app.state.services.extras["handoff_config"] = HandoffConfig(_env_file=None)
        yield client


async def test_an_unanswered_vip_hears_only_that_a_person_takes_over(client, channels_settings, telegram,
                                                                     session_factory) -> None:
    assert (await post_telegram(client, channels_settings, tp.start_update(language_code="uk"))).status_code == 200
    await telegram.wait_for_async(lambda: len(telegram.sent(tp.USER_ID)) >= 1)
    async with session_factory() as session, session.begin():
        [customer] = (await session.scalars(select(Customer))).all()
        customer.tags = ["vip"]

    update = tp.text_update(UNANSWERABLE, language_code="uk")
    assert (await post_telegram(client, channels_settings, update)).status_code == 200
    await telegram.wait_for_async(lambda: len(telegram.sent(tp.USER_ID)) >= 3)
    assert [sent["text"] for sent in telegram.sent(tp.USER_ID)[1:]] == [
        "Передаю ваше питання оператору.", "Taras приєднується до розмови."]
    async with session_factory() as session:
        [conversation] = (await session.scalars(select(Conversation))).all()
    assert (conversation.status, conversation.team, conversation.handoff_reason) == ("assigned", "vip", "vip")
