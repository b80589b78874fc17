"""A notification is written in the language the shopper writes to the shop in, not their app's UI language.

Regression (QA, F2): a Telegram user whose app is in English linked their shop account and wrote only
Ukrainian; the bot answered in Ukrainian, but ``POST /api/notifications`` went out in English, because the
customer's ``preferred_language`` is the channel's language hint from when the record was created.
"""

import pytest
from litestar.testing import AsyncTestClient

from bots.viber.keyboards import Tracking
from tests.support import telegram_payloads as tg
from tests.support import viber_payloads as vb
from tests.support.channels import TELEGRAM_WEBHOOK, VIBER_WEBHOOK, channel_settings, eventually, telegram_headers
from tests.support.customers import OKSANA, role_headers
from tests.support.telegram_double import TelegramDouble
from tests.support.viber_double import ViberDouble
from web.app import create_app

DELIVERED = {"customer": "shop-1", "template": "order_delivered", "params": {"number": "10188"}}


@pytest.fixture
async def app(backend, session_factory):
    """The app on the Telegram and Viber doubles, with the shop's customer shop-1 pushed."""
    with TelegramDouble() as telegram, ViberDouble() as viber:
        headers = await role_headers(session_factory, "integration")
        async with AsyncTestClient(app=create_app(channel_settings(backend, telegram=telegram,
                                                                   viber=viber))) as client:
            pushed = await client.put("/api/customers/shop-1", headers=headers["integration"],
                                      json={k: v for k, v in OKSANA.items() if k != "external_id"})
            assert pushed.status_code == 200, pushed.text
            yield client, headers["integration"], telegram, viber


async def test_telegram_in_english_but_writing_ukrainian_gets_the_notification_in_ukrainian(app):
    client, integration, telegram, _ = app
    secret = telegram_headers(client.app.state.services.settings)
    token = (await client.get("/api/customers/shop-1/link", headers=integration)).json()["token"]
    await client.post(TELEGRAM_WEBHOOK, json=tg.start_update(token, language_code="en"), headers=secret)
    await client.post(TELEGRAM_WEBHOOK, json=tg.text_update("Добрий день! Де моє замовлення, будь ласка?",
                                                            language_code="en"), headers=secret)
    await eventually(lambda: len(telegram.texts_to(tg.USER_ID)) == 2)
    assert telegram.texts_to(tg.USER_ID)[1].startswith("Ваші останні замовлення")  # the bot answers in Ukrainian

    created = await client.post("/api/notifications", json=DELIVERED, headers=integration)

    assert created.status_code == 201, created.text
    assert created.json()["language"] == "uk"
    await eventually(lambda: "Замовлення №10188 доставлено. Дякуємо за покупку!" in telegram.texts_to(tg.USER_ID))
    assert not any("has been delivered" in text for text in telegram.texts_to(tg.USER_ID))


async def test_viber_in_ukrainian_but_writing_russian_gets_the_notification_in_russian(app):
    client, integration, _, viber = app
    share_phone = Tracking(share_phone=True).encode()
    for body in (vb.contact("+380501234567", tracking_data=share_phone), vb.text("Где мой заказ?")):
        raw = vb.encode(vb.message_event(body, language="uk"))
        response = await client.post(VIBER_WEBHOOK, content=raw, headers=vb.signed_headers(raw, viber.token))
        assert response.status_code == 200
    # Verified (in the app's language), the orders, then the answer to the Russian question.
    await eventually(lambda: len(viber.texts_to(vb.USER_ID)) == 3)
    assert viber.texts_to(vb.USER_ID)[-1].startswith("Ваши последние заказы")

    created = await client.post("/api/notifications", json=DELIVERED, headers=integration)

    assert created.status_code == 201, created.text
    assert created.json()["language"] == "ru"
    await eventually(lambda: "Заказ №10188 доставлен. Спасибо за покупку!" in viber.texts_to(vb.USER_ID))
