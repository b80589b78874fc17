"""Each channel's Messenger against its API double: wire format, keyboards, and how failures map."""

import httpx
import pytest

from bots.messenger import PermanentFailure, RetryLater
from bots.messengers.telegram import TelegramMessenger
from bots.messengers.viber import ViberMessenger
from bots.messengers.webchat import WebchatMessenger
from bots.telegram.dispatcher import build_bot
from bots.viber.keyboards import Tracking
from core import events
from core.bus import MemoryEventBus
from core.settings import Settings
from tests.support.telegram_double import bad_gateway, blocked_by_user, too_many_requests
from tests.support.viber_double import server_error, viber_status

BUTTONS = [[{"text": "Yes", "data": "csat:yes"}, {"text": "No", "data": "csat:no"}], [{"text": "Agent", "data": "x"}]]


@pytest.fixture
async def tg(telegram):
    bot = build_bot(Settings(_env_file=None, telegram_token=telegram.token, telegram_api_url=telegram.url), timeout=5)
    yield TelegramMessenger(bot)
    await bot.session.close()


@pytest.fixture
async def vb(viber):
    async with httpx.AsyncClient(timeout=5) as client:
        yield ViberMessenger(client, api_url=viber.api_url, token=viber.token, sender_name="Shop")


async def test_telegram_inline_buttons_and_contact_keyboard(tg, telegram):
    await tg.send("42", {"text": "Rate us", "buttons": BUTTONS, "keyboard": "inline"})
    await tg.send("42", {"text": "Your phone?", "keyboard": "contact",
                         "buttons": [[{"text": "Share", "data": "share_phone"}]]})
    inline, contact = (params["reply_markup"] for params in telegram.sent(42))
    assert inline["inline_keyboard"][0] == [{"text": "Yes", "callback_data": "csat:yes"},
                                            {"text": "No", "callback_data": "csat:no"}]
    assert contact["keyboard"] == [[{"text": "Share", "request_contact": True}]]
    assert contact["one_time_keyboard"] is True


@pytest.mark.parametrize(("answer", "error", "retry_after"), [
    pytest.param(too_many_requests(7), RetryLater, 7.0, id="429"),
    pytest.param(bad_gateway(), RetryLater, None, id="502"),
    pytest.param(blocked_by_user(), PermanentFailure, None, id="blocked"),
])
async def test_telegram_failures_map_to_retry_or_give_up(tg, telegram, answer, error, retry_after):
    telegram.script("sendMessage", answer)
    with pytest.raises(error) as raised:
        await tg.send("42", {"text": "hi"})
    assert getattr(raised.value, "retry_after", None) == retry_after


async def test_telegram_unreachable_api_is_retried_later():
    bot = build_bot(Settings(_env_file=None, telegram_token="1:x", telegram_api_url="http://127.0.0.1:9"), timeout=2)
    try:
        with pytest.raises(RetryLater):
            await TelegramMessenger(bot).send("42", {"text": "hi"})
    finally:
        await bot.session.close()


async def test_viber_reply_keyboard_tracks_labels_and_share_phone(vb, viber):
    result = await vb.send("user=", {"text": "Rate us", "buttons": BUTTONS, "keyboard": "inline"})
    await vb.send("user=", {"text": "Phone?", "keyboard": "contact", "buttons": []})
    rate, phone = viber.sent("user=")
    assert result.channel_message_ids == [str(rate["message_token"])]
    assert [(b["ActionType"], b["ActionBody"], b["Columns"]) for b in rate["keyboard"]["Buttons"]] == [
        ("reply", "Yes", 3), ("reply", "No", 3), ("reply", "Agent", 6)]
    assert Tracking.decode(rate["tracking_data"]).buttons == {"Yes": "csat:yes", "No": "csat:no", "Agent": "x"}
    assert phone["keyboard"]["Buttons"][0]["ActionType"] == "share-phone"
    assert phone["min_api_version"] == 3
    assert Tracking.decode(phone["tracking_data"]).share_phone is True
    assert rate["sender"] == {"name": "Shop"}


@pytest.mark.parametrize(("answer", "error"), [
    pytest.param(viber_status(12), RetryLater, id="12-too-many-requests"),
    pytest.param(viber_status(6), PermanentFailure, id="6-not-subscribed"),
    pytest.param(viber_status(5), PermanentFailure, id="5-not-registered"),
    pytest.param(server_error(503), RetryLater, id="503"),
])
async def test_viber_status_codes_map_to_retry_or_give_up(vb, viber, answer, error):
    viber.script("send_message", answer)
    with pytest.raises(error, match=r"Viber status|HTTP 503"):
        await vb.send("user=", {"text": "hi"})
    assert viber.sent() == []


async def test_webchat_messenger_publishes_for_the_visitors_sockets():
    bus = MemoryEventBus()
    received = []

    async def listener(topic, event):
        received.append(event)

    bus.subscribe(events.WEBCHAT_DELIVER, listener)
    result = await WebchatMessenger(bus).send("visitor-1234567890", {"text": "Hi", "buttons": BUTTONS,
                                                                      "message_id": 7})
    assert received == [{"visitor": "visitor-1234567890", "message_id": 7, "text": "Hi", "buttons": BUTTONS}]
    assert result.channel_message_ids == ["webchat-7"]
