"""Long polling against the Bot API double: same flow as the webhook, outages and flood control survived."""

import asyncio
import time

from sqlalchemy import select

from bots.telegram.polling import TelegramPoller
from core.models import Message
from tests.support import telegram_payloads as tp
from tests.support.channels import channel_settings
from tests.support.telegram_double import bad_gateway, too_many_requests


async def test_poller_answers_through_outages_and_confirms_offsets(settings, backend, telegram, session_factory):
    from web.app import create_app

    telegram.webhook = {"url": "https://old.example.com/hook"}
    telegram.script("getUpdates", bad_gateway(), too_many_requests(1))
    telegram.push_update(tp.text_update("Де моє замовлення?", update_id=41, language_code="uk"))
    telegram.push_update(tp.text_update("Де моє замовлення?", update_id=41, language_code="uk"))  # a repeat
    telegram.push_update(tp.start_update("promo", user_id=2222, update_id=42))
    app = create_app(channel_settings(backend, telegram=telegram))
    stop = asyncio.Event()
    async with app.lifespan():
        poller = TelegramPoller(app.state.services.extras["telegram"], long_poll_seconds=20)
        task = asyncio.create_task(poller.run(stop))
        try:
            started = time.monotonic()
            await telegram.wait_for_async(lambda: telegram.texts_to(tp.USER_ID) and telegram.texts_to(2222),
                                          within=15)
            assert time.monotonic() - started >= 1.0  # the 429's retry_after was waited out
            await telegram.wait_for_async(lambda: not telegram.pending_updates, within=5)
        finally:
            stop.set()
            await asyncio.wait_for(task, 5)
    methods = [call.method for call in telegram.calls]
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    assert telegram.webhook == {}
    polls = telegram.calls_of("getUpdates")
    assert polls[-1].params["allowed_updates"] == ["message", "edited_message", "callback_query", "my_chat_member"]
    assert int(polls[-1].params["offset"]) == 43
    async with session_factory() as session:
        inbound = (await session.scalars(select(Message).where(Message.direction == "in")
                                         .order_by(Message.id))).all()
    assert [(m.dedup_key, m.kind) for m in inbound] == [("41", "text"), ("42", "start")]
