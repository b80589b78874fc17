"""``channel`` of POST /api/notifications is tried first, not only (found by QA: a customer reachable only
on Telegram got 409 for ``"channel": "viber"``, while a Viber delivery that gives up fails over anyway)."""

from sqlalchemy import select

from bots.flow import InboundFlow
from bots.steps import default_steps
from core.bus import MemoryEventBus
from core.models import OutboxItem
from tests.support.customers import OKSANA, add_customers, role_headers, shopper

PROMO = {"customer": "shop-1", "template": "promo", "params": {"discount": "10%", "code": "AUTUMN"}}


async def test_a_channel_the_customer_cannot_be_reached_on_falls_back_to_their_messenger(
        client, settings, session_factory) -> None:
    await add_customers(session_factory, settings, OKSANA)
    flow = InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps())
    await flow.process(shopper("telegram", "tg-1", kind="contact", phone="+380501234567", language="uk"))
    headers = await role_headers(session_factory, "integration")
    async with session_factory() as session:
        before = (await session.scalars(select(OutboxItem.id))).all()

    response = await client.post("/api/notifications", json={**PROMO, "channel": "viber"},
                                 headers=headers["integration"])

    assert response.status_code == 201, response.text
    view = response.json()
    assert (view["requested_channel"], [a["channel"] for a in view["attempts"]]) == ("viber", ["telegram"])
    async with session_factory() as session:
        queued = (await session.scalars(select(OutboxItem).where(OutboxItem.id.not_in(before)))).all()
    assert [(item.channel, item.chat_id) for item in queued] == [("telegram", "tg-1")]
