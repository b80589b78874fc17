"""Notifications: preferred channel, failover on dead letters, status, opt-out, bad input, rate limits."""

import asyncio
import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from bots.flow import InboundFlow
from bots.steps import default_steps
from core import events
from core.bus import MemoryEventBus, create_bus
from core.customers.notifications import send_notification
from core.database import create_engine, create_session_factory
from core.models import Customer, Message, OutboxItem
from tests.conftest import make_settings
from tests.support.customers import OKSANA, add_customers, role_headers, shopper
from web.dead_letters import dead_letter_failover
from web.services import AppServices

SHIPPED = {"customer": "shop-1", "template": "order_shipped", "params": {"number": "10234", "tracking": "2045001"}}


@pytest.fixture
async def headers(session_factory):
    return await role_headers(session_factory, "integration", "agent")


@pytest.fixture
async def oksana_on_two_messengers(settings, session_factory):
    """Shop customer shop-1, on Telegram (tg-1) and Viber (vb-1, written from last), linked by phone."""
    await add_customers(session_factory, settings, OKSANA)
    flow = InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps())
    await flow.process(shopper("telegram", "tg-1", kind="contact", phone="+380501234567", language="uk"))
    await flow.process(shopper("viber", "vb-1", kind="contact", phone="+380501234567", language="uk"))
    return flow


@pytest.fixture
async def failover_bus(settings):
    """A bus reaching the app's failover listener (Redis), or carrying a listener of its own (memory)."""
    engine = create_engine(settings)
    bus = create_bus(settings)
    await bus.start()
    services = AppServices(settings, engine, create_session_factory(engine), bus, settings.secret_key)
    async with dead_letter_failover(services):
        yield bus
    await bus.stop()
    await engine.dispose()


async def _outbox(session_factory) -> list[OutboxItem]:
    async with session_factory() as session:
        return list((await session.scalars(select(OutboxItem).order_by(OutboxItem.id))).all())


async def _dead(bus, item: OutboxItem, error: str) -> None:
    await bus.publish(events.OUTBOX_DEAD, {"outbox_id": item.id, "message_id": item.message_id,
                                           "channel": item.channel, "chat_id": item.chat_id,
                                           "payload": item.payload, "error": error})


async def _status(client, headers, notification_id, expected: str) -> dict:
    """Poll until the notification reaches ``expected`` (the Redis bus delivers asynchronously)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while True:
        view = (await client.get(f"/api/notifications/{notification_id}", headers=headers["agent"])).json()
        if view["status"] == expected or loop.time() > deadline:
            return view
        await asyncio.sleep(0.05)


async def test_notification_fails_over_from_viber_to_telegram(client, headers, session_factory,
                                                              oksana_on_two_messengers, failover_bus):
    before = len(await _outbox(session_factory))
    created = await client.post("/api/notifications", json=SHIPPED, headers=headers["integration"])
    assert created.status_code == 201, created.text
    view = created.json()
    assert view["status"] == "queued" and [a["channel"] for a in view["attempts"]] == ["viber"]
    assert view["text"] == "Ваше замовлення №10234 відправлено. Номер для відстеження: 2045001."
    viber_item = (await _outbox(session_factory))[before]
    assert (viber_item.channel, viber_item.chat_id, viber_item.payload["text"]) == ("viber", "vb-1", view["text"])

    await _dead(failover_bus, viber_item, "Viber status 6: receiver is not subscribed")
    view = await _status(client, headers, view["id"], "failed_over")
    assert [(a["channel"], a["status"]) for a in view["attempts"]] == [("viber", "failed"), ("telegram", "queued")]
    assert "not subscribed" in view["attempts"][0]["error"]
    telegram_item = (await _outbox(session_factory))[before + 1]
    assert (telegram_item.channel, telegram_item.chat_id) == ("telegram", "tg-1")
    assert telegram_item.payload["text"] == view["text"]

    await _dead(failover_bus, viber_item, "the same dead letter again")  # handled once only
    await _dead(failover_bus, telegram_item, "Forbidden: bot was blocked by the user")
    view = await _status(client, headers, view["id"], "failed")
    assert [a["status"] for a in view["attempts"]] == ["failed", "failed"]
    assert len(await _outbox(session_factory)) == before + 2


async def test_status_follows_the_delivery_of_the_message(client, headers, session_factory,
                                                          oksana_on_two_messengers):
    view = (await client.post("/api/notifications", json={**SHIPPED, "channel": "telegram"},
                              headers=headers["integration"])).json()
    assert view["attempts"][0]["channel"] == "telegram"
    async with session_factory() as session, session.begin():
        message = await session.get(Message, view["attempts"][0]["message_id"])
        message.delivery_status = "delivered"
    assert (await _status(client, headers, view["id"], "delivered"))["status"] == "delivered"


@pytest.mark.parametrize(("body", "problem"), [
    pytest.param({**SHIPPED, "params": {"number": "10234"}}, "params.tracking missing", id="missing-parameter"),
    pytest.param({**SHIPPED, "template": "order_teleported"}, "unknown template", id="unknown-template"),
])
async def test_bad_templates_are_rejected_before_sending(client, headers, session_factory,
                                                         oksana_on_two_messengers, body, problem):
    before = len(await _outbox(session_factory))
    response = await client.post("/api/notifications", json=body, headers=headers["integration"])
    assert response.status_code == 400 and problem in response.text
    assert len(await _outbox(session_factory)) == before


async def test_a_customer_with_no_channel_gets_a_clear_error_and_nothing_is_sent(client, headers, settings,
                                                                                 session_factory):
    await add_customers(session_factory, settings, OKSANA)
    response = await client.post("/api/notifications", json=SHIPPED, headers=headers["integration"])
    assert response.status_code == 409 and "cannot be reached" in response.text
    assert await _outbox(session_factory) == []
    missing = await client.post("/api/notifications", json={**SHIPPED, "customer": "nobody"},
                                headers=headers["integration"])
    assert missing.status_code == 404


async def test_opted_out_shopper_gets_order_updates_but_no_marketing(client, headers, session_factory,
                                                                     oksana_on_two_messengers):
    result = await oksana_on_two_messengers.process(shopper("viber", "vb-1", text="Відписатися", language="uk"))
    async with session_factory() as session:
        (reply,) = (await session.scalars(select(Message).where(Message.id.in_(result.reply_message_ids)))).all()
        assert "рекламних" in reply.text
        assert (await session.scalar(select(Customer).where(Customer.external_id == "shop-1"))).marketing_opt_out
    promo = {"customer": "shop-1", "template": "promo", "params": {"discount": "10%", "code": "AUTUMN"}}
    refused = await client.post("/api/notifications", json=promo, headers=headers["integration"])
    assert refused.status_code == 409 and "opted out" in refused.text
    assert (await client.post("/api/notifications", json=SHIPPED, headers=headers["integration"])).status_code == 201
    await oksana_on_two_messengers.process(shopper("viber", "vb-1", text="subscribe", language="uk"))
    accepted = await client.post("/api/notifications", json=promo, headers=headers["integration"])
    assert accepted.status_code == 201 and accepted.json()["marketing"] is True


async def test_notifications_are_spaced_to_the_channel_rate(backend, settings, session_factory,
                                                            oksana_on_two_messengers):
    slow = make_settings(backend, database_url=settings.database_url, notification_rate_viber=2)
    async with session_factory() as session, session.begin():
        customer = await session.scalar(select(Customer).where(Customer.external_id == "shop-1"))
        first, _ = await send_notification(session, slow, customer=customer, template="order_delivered",
                                           params={"number": "1"})
        second, _ = await send_notification(session, slow, customer=customer, template="order_delivered",
                                            params={"number": "2"})
    slots = [first.attempts[0].scheduled_at, second.attempts[0].scheduled_at]
    assert slots[1] - slots[0] >= timedelta(seconds=0.5)
    items = await _outbox(session_factory)
    assert items[-1].next_attempt_at - items[-2].next_attempt_at >= timedelta(seconds=0.5)


async def test_notifications_sent_at_the_same_moment_still_get_their_own_slots(
        backend, settings, session_factory, oksana_on_two_messengers):
    """Many requests at once (as from several processes): no two may read the same last slot and
    both take the next one, which would send them together, over the channel's rate."""
    slow = make_settings(backend, database_url=settings.database_url, notification_rate_viber=2)

    async def send(number: int):
        async with session_factory() as session, session.begin():
            customer = await session.scalar(select(Customer).where(Customer.external_id == "shop-1"))
            notification, _ = await send_notification(session, slow, customer=customer,
                                                      template="order_delivered", params={"number": str(number)})
            return notification.attempts[0].scheduled_at

    slots = sorted(await asyncio.gather(*(send(n) for n in range(8))))
    assert all(later - earlier >= timedelta(seconds=0.5) for earlier, later in itertools.pairwise(slots))
