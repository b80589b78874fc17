"""Order self-service in the bot: real status for the owner, nothing for anyone who has not proven it."""

import pytest
from sqlalchemy import select

from bots.flow import InboundFlow
from bots.steps import default_steps
from core.bus import MemoryEventBus
from core.models import Conversation, Message
from knowledge_base.index import KnowledgeIndex
from nlu.engine import NLUEngine
from tests.support.customers import DMYTRO, OKSANA, add_customers, shopper


@pytest.fixture
async def flow(settings, session_factory):
    await add_customers(session_factory, settings, OKSANA, DMYTRO)
    return InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps())


async def _ask(flow, session_factory, message) -> list[Message]:
    result = await flow.process(message)
    async with session_factory() as session:
        return list((await session.scalars(select(Message).where(Message.id.in_(result.reply_message_ids))
                                           .order_by(Message.id))).all())


async def _identify(flow, channel="telegram", user="tg-1", phone="+380501234567"):
    await flow.process(shopper(channel, user, kind="contact", phone=phone, language="uk"))


@pytest.mark.parametrize("question", [
    pytest.param("де моє замовлення?", id="uk"),
    pytest.param("Где мой заказ", id="ru"),
    pytest.param("where is my order", id="en"),
])
async def test_identified_shopper_with_several_orders_gets_a_button_per_order(flow, session_factory, question):
    await _identify(flow)
    (reply,) = await _ask(flow, session_factory, shopper("telegram", "tg-1", text=question))
    assert reply.payload["keyboard"] == "inline"
    assert [row[0]["data"] for row in reply.payload["buttons"]] == ["order:10234", "order:10188"]


async def test_pressing_an_order_button_shows_its_status_and_tracking(flow, session_factory):
    await _identify(flow)
    (reply,) = await _ask(flow, session_factory, shopper("telegram", "tg-1", kind="callback", text="№10234",
                                                         payload={"data": "order:10234"}, language="uk"))
    assert "10234" in reply.text and "відправлено" in reply.text and "20450000123456" in reply.text
    assert "Сума: 2\u00a0450\u00a0грн." in reply.text  # found by QA: "2450.00 UAH" in a Ukrainian reply


async def test_an_order_number_of_the_identified_shopper_is_answered_in_their_language(flow, session_factory):
    await flow.process(shopper("viber", "vb-1", kind="contact", phone="+380501234567", language="en"))
    (reply,) = await _ask(flow, session_factory, shopper("viber", "vb-1", text="#10188", language="en"))
    assert reply.text.startswith("Order #10188") and "delivered" in reply.text


async def test_someone_elses_order_number_is_not_revealed_to_an_identified_shopper(flow, session_factory):
    await _identify(flow)
    (reply,) = await _ask(flow, session_factory, shopper("telegram", "tg-1", text="статус замовлення 20001"))
    assert "20001" in reply.text and "processing" not in reply.text and "обробляється" not in reply.text
    unknown = (await _ask(flow, session_factory, shopper("telegram", "tg-1", text="статус замовлення 99999")))[0]
    # An order of another customer and a number that does not exist read the same.
    assert unknown.text.replace("99999", "N") == reply.text.replace("20001", "N")


async def test_unidentified_shopper_is_asked_for_the_phone_and_sees_nothing(flow, session_factory):
    (reply,) = await _ask(flow, session_factory, shopper("telegram", "tg-5", text="де моє замовлення 10234"))
    assert reply.payload["keyboard"] == "contact"
    assert "10234" not in reply.text and "відправлено" not in reply.text
    forged = (await _ask(flow, session_factory, shopper("telegram", "tg-5", kind="callback",
                                                        payload={"data": "order:10234"})))[0]
    assert forged.payload["keyboard"] == "contact" and "20450000123456" not in forged.text


async def test_order_number_with_the_right_phone_proves_it_and_a_wrong_phone_does_not(flow, session_factory):
    wrong = (await _ask(flow, session_factory, shopper("viber", "vb-5", text="10234 +380671112233",
                                                       language="en")))[0]
    assert "10234" not in wrong.text and "shipped" not in wrong.text
    right = (await _ask(flow, session_factory, shopper("viber", "vb-5", text="order 10234, phone 050 123 45 67",
                                                       language="en")))[0]
    assert "#10234" in right.text and "shipped" in right.text and "20450000123456" in right.text


async def test_guessing_number_and_phone_pairs_is_capped(flow, session_factory):
    for attempt in range(5):
        await _ask(flow, session_factory, shopper("viber", "vb-6", text=f"1000{attempt} +380671112233",
                                                  language="en"))
    (capped,) = await _ask(flow, session_factory, shopper("viber", "vb-6", text="20001 +380671112233",
                                                          language="en"))
    assert "Too many attempts" in capped.text and "processing" not in capped.text


async def test_how_to_place_an_order_is_left_to_the_knowledge_base(flow, session_factory):
    (reply,) = await _ask(flow, session_factory, shopper("telegram", "tg-3", text="як оформити замовлення?"))
    assert reply.payload.get("keyboard") is None and "order_numbers" not in reply.payload
    assert reply.payload["buttons"] == []


async def test_web_chat_has_no_phone_button_so_it_asks_for_number_and_phone(flow, session_factory):
    (ask,) = await _ask(flow, session_factory, shopper("webchat", "visitor-1", text="where is my order?",
                                                      language="en"))
    assert ask.payload["keyboard"] is None and ask.payload["buttons"] == []
    assert "order number together with the phone" in ask.text and "button" not in ask.text
    (answer,) = await _ask(flow, session_factory, shopper("webchat", "visitor-1", text="10188 +380501234567",
                                                         language="en"))
    assert answer.text.startswith("Order #10188") and "delivered" in answer.text


async def test_an_order_question_on_a_sensitive_topic_goes_to_a_person(settings, session_factory):
    """Regression: the order step answered "подам до суду через замовлення 10234" with the status."""
    await add_customers(session_factory, settings, OKSANA)
    engine = NLUEngine(sensitive_topics=["суд", "chargeback"])
    index = KnowledgeIndex(engine, session_factory)
    await index.load()
    flow = InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps(), services={"kb_index": index})
    try:
        await _identify(flow)
        result = await flow.process(shopper("telegram", "tg-1", text="Подам до суду через замовлення 10234"))
        async with session_factory() as session:
            conversation = await session.get(Conversation, result.conversation_id)
        assert (conversation.status, conversation.handoff_reason) == ("queued", "sensitive_topic")
    finally:
        engine.close()


async def test_swearing_alone_still_gets_the_status(flow, session_factory):
    await _identify(flow)
    (reply,) = await _ask(flow, session_factory, shopper("telegram", "tg-1", text="where is my damn order 10234",
                                                         language="en"))
    assert "20450000123456" in reply.text


async def test_a_foreign_phone_written_without_plus_proves_the_order_in_web_chat(flow, settings, session_factory):
    # QA F9: "30555 48601234567" read both as order numbers, so the shopper was asked for the phone again.
    await add_customers(session_factory, settings, {
        "external_id": "shop-pl", "name": "Agnieszka", "phones": ["+48601234567"], "emails": [], "tags": [],
        "orders": [{"number": "30555", "status": "shipped", "total": "990",
                    "created_at": "2026-11-22T10:00:00+00:00"}]})
    (answer,) = await _ask(flow, session_factory, shopper("webchat", "visitor-pl", text="30555 48601234567",
                                                         language="en"))
    assert answer.text.startswith("Order #30555") and "shipped" in answer.text
    # A long number alone is still an order number: the phone is asked for, no lookup is spent.
    (ask,) = await _ask(flow, session_factory, shopper("webchat", "visitor-long", text="48601234567",
                                                      language="en"))
    assert "phone" in ask.text and "#" not in ask.text
