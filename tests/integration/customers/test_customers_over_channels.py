"""End to end over the Telegram and Viber API doubles: linking, order answers and notification failover."""

import pytest
from litestar.testing import AsyncTestClient

from bots.viber.keyboards import Tracking
from tests.support import telegram_payloads as tg
from tests.support import viber_payloads as vb
from tests.support.channels import TELEGRAM_WEBHOOK, VIBER_WEBHOOK, channel_settings, eventually, telegram_headers
from tests.support.customers import OKSANA, role_headers
from tests.support.telegram_double import TelegramDouble
from tests.support.viber_double import ViberDouble, viber_status
from web.app import create_app

PHONE = "+380501234567"


@pytest.fixture
def doubles():
    with TelegramDouble() as telegram, ViberDouble() as viber:
        yield telegram, viber


@pytest.fixture
async def app(backend, settings, session_factory, doubles):
    """The app on the doubles, an integration token, and the shop's customer shop-1 pushed."""
    telegram, viber = doubles
    headers = await role_headers(session_factory, "integration", "agent")
    async with AsyncTestClient(app=create_app(channel_settings(backend, telegram=telegram, viber=viber))) as client:
        pushed = await client.put("/api/customers/shop-1", json={k: v for k, v in OKSANA.items() if k != "external_id"},
                                  headers=headers["integration"])
        assert pushed.status_code == 200
        yield client, headers, telegram, viber


async def _viber(client, viber, body) -> None:
    raw = vb.encode(body)
    response = await client.post(VIBER_WEBHOOK, content=raw, headers=vb.signed_headers(raw, viber.token))
    assert response.status_code == 200


async def test_shared_phone_joins_telegram_and_viber_and_a_notification_fails_over(app):
    client, headers, telegram, viber = app
    await client.post(TELEGRAM_WEBHOOK, json=tg.contact_update(PHONE), headers=telegram_headers(client.app.state
                                                                                                   .services.settings))
    await eventually(lambda: len(telegram.texts_to(tg.USER_ID)) == 2)  # confirmed, then the order buttons
    share_phone = Tracking(share_phone=True).encode()
    await _viber(client, viber, vb.message_event(vb.contact(PHONE, tracking_data=share_phone), language="uk"))
    await eventually(lambda: len(viber.texts_to(vb.USER_ID)) == 2)

    card = (await client.get("/api/customers/shop-1", headers=headers["agent"])).json()
    assert sorted((i["channel"], i["external_id"]) for i in card["identities"]) == [
        ("telegram", str(tg.USER_ID)), ("viber", vb.USER_ID)]

    viber.script("send_message", viber_status(6))  # the shopper unsubscribed from the Viber bot meanwhile
    created = await client.post("/api/notifications", json={
        "customer": "shop-1", "template": "order_shipped", "params": {"number": "10234", "tracking": "2045001"}},
        headers=headers["integration"])
    assert created.status_code == 201 and created.json()["attempts"][0]["channel"] == "viber"
    await eventually(lambda: any("2045001" in text for text in telegram.texts_to(tg.USER_ID)))
    assert not any("2045001" in text for text in viber.texts_to(vb.USER_ID))

    async def sent_over_telegram() -> bool:
        view = (await client.get(f"/api/notifications/{created.json()['id']}", headers=headers["agent"])).json()
        return [(a["channel"], a["status"]) for a in view["attempts"]] == [("viber", "failed"), ("telegram", "sent")]

    await eventually(sent_over_telegram)


async def test_deep_link_then_order_buttons_over_telegram_and_nothing_for_strangers(app):
    client, headers, telegram, _ = app
    secret = telegram_headers(client.app.state.services.settings)
    token = (await client.get("/api/customers/shop-1/link", headers=headers["integration"])).json()["token"]
    await client.post(TELEGRAM_WEBHOOK, json=tg.start_update(token), headers=secret)
    await client.post(TELEGRAM_WEBHOOK, json=tg.text_update("where is my order?"), headers=secret)
    await eventually(lambda: len(telegram.sent(tg.USER_ID)) == 2)
    buttons = telegram.sent(tg.USER_ID)[1]["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in buttons] == ["order:10234", "order:10188"]
    await client.post(TELEGRAM_WEBHOOK, json=tg.callback_update("order:10234"), headers=secret)
    await eventually(lambda: len(telegram.texts_to(tg.USER_ID)) == 3)
    assert "20450000123456" in telegram.texts_to(tg.USER_ID)[2]

    stranger = 2222222
    await client.post(TELEGRAM_WEBHOOK, json=tg.text_update("where is my order 10234?", user_id=stranger),
                      headers=secret)
    await eventually(lambda: len(telegram.sent(stranger)) == 1)
    (answer,) = telegram.sent(stranger)
    assert "20450000123456" not in answer["text"] and "shipped" not in answer["text"]
    assert answer["reply_markup"]["keyboard"][0][0]["request_contact"] is True


async def test_viber_context_link_links_silently_before_the_welcome(app):
    client, headers, _, viber = app
    token = (await client.get("/api/customers/shop-1/link", headers=headers["integration"])).json()["token"]
    raw = vb.encode(vb.conversation_started(context=token))
    response = await client.post(VIBER_WEBHOOK, content=raw, headers=vb.signed_headers(raw, viber.token))
    assert response.json()["type"] == "text"  # the welcome, the only message Viber allows here
    card = (await client.get("/api/customers/shop-1", headers=headers["agent"])).json()
    assert [(i["channel"], i["external_id"]) for i in card["identities"]] == [("viber", vb.USER_ID)]
