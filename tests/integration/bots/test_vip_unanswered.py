"""A VIP the bot cannot answer is passed to a person without being told to write «оператор» first; a VIP's
"ок", chatter or bare "ні" is no such question and gets the replies anyone gets."""

from functools import partial

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from bots.steps.answer import DID_YOU_MEAN, FALLBACK, OFF_TOPIC, WELCOME
from bots.steps.small_talk import ANYTHING_ELSE
from core.models import Conversation, Customer
from handoff.config import HandoffConfig
from knowledge_base.demo import seed_demo_articles
from tests.support import telegram_payloads as tp
from tests.support.channels import eventually, post_telegram
from tests.support.handoff import make_agent, make_team
from tests.support.telegram_talk import latest_conversation, say_on_telegram

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


async def test_a_vips_ok_chatter_and_bare_no_get_the_usual_replies_and_no_person(client, channels_settings, telegram,
                                                                                 session_factory) -> None:
    # Found by QA: a VIP's chatter paged the VIP team like a question the bot could not answer.
    user_id = 6680001
    say = partial(say_on_telegram, client, channels_settings, telegram, user_id, language="uk")
    assert (await say("Привіт"))["text"] == WELCOME["uk"]
    async with session_factory() as session, session.begin():
        [customer] = (await session.scalars(select(Customer))).all()
        customer.tags = ["vip"]

    for text, reply in (("ок", ANYTHING_ELSE["uk"]), ("яка погода в києві?", OFF_TOPIC["uk"]), ("ні", FALLBACK["uk"]),
                        ("доставка?", None), ("не то", DID_YOU_MEAN["uk"])):
        sent = await say(text)
        assert reply is None or sent["text"] == reply, text
        conversation = await latest_conversation(session_factory, user_id)
        assert (conversation.status, conversation.handoff_reason) == ("bot", None), text

    # A real question the bot cannot answer still goes to the VIP team at once.
    update = tp.text_update(UNANSWERABLE, user_id=user_id, language_code="uk")
    assert (await post_telegram(client, channels_settings, update)).status_code == 200
    await eventually(lambda: "Taras приєднується до розмови." in [sent["text"] for sent in telegram.sent(user_id)])
    conversation = await latest_conversation(session_factory, user_id)
    assert (conversation.status, conversation.team, conversation.handoff_reason) == ("assigned", "vip", "vip")
