"""Each channel's Messenger against its API double: wire format, keyboards, and how failures map."""

import logging

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
from core.models import Conversation, Customer, Message
from core.outbox import queue_outgoing
from core.settings import Settings
from tests.support.telegram_double import bad_gateway, bad_request, blocked_by_user, too_many_requests
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


@pytest.mark.parametrize(("payload", "text"), [
    pytest.param({"text": "Costs 70 UAH, see terms (https://shop.ua/t).",
                  "html": 'Costs <b>70 UAH</b>, see <a href="https://shop.ua/t">terms</a>.'},
                 'Costs <b>70 UAH</b>, see <a href="https://shop.ua/t">terms</a>.', id="answer-formatted"),
    pytest.param({"text": "Use <b>SALE</b> & save"}, "Use &lt;b&gt;SALE&lt;/b&gt; &amp; save", id="typed-escaped"),
])
async def test_telegram_gets_the_html_or_else_the_text_escaped(tg, telegram, payload, text):
    await tg.send("42", payload)
    [sent] = telegram.sent(42)
    assert (sent["parse_mode"], sent["text"]) == ("HTML", text)


async def test_telegram_html_it_cannot_parse_goes_out_again_as_plain_text(tg, telegram, caplog):
    # No script: the double refuses the unknown tag as Telegram's parser does.
    with caplog.at_level(logging.WARNING, logger="bots.messengers.telegram"):
        result = await tg.send("42", {"text": "Hi <foo> & bye", "html": "Hi <foo> &amp; bye", "buttons": BUTTONS,
                                      "keyboard": "inline"})
    refused, retried = (call.params for call in telegram.calls_of("sendMessage"))
    assert refused["text"] == "Hi <foo> &amp; bye"
    assert (retried["parse_mode"], retried["text"]) == ("HTML", "Hi &lt;foo&gt; &amp; bye")
    assert retried["reply_markup"] == refused["reply_markup"]
    assert retried["reply_markup"]["inline_keyboard"][1] == [{"text": "Agent", "callback_data": "x"}]
    assert result.channel_message_ids == [str(telegram.sent(42)[0]["message_id"])]
    assert "chat 42" in caplog.text and 'Unsupported start tag "foo"' in caplog.text


@pytest.mark.parametrize("markup", [
    pytest.param("<b>Hi</i>", id="bad-nesting"),
    pytest.param("<b>Hi", id="unclosed"),
    pytest.param('<span class="x">Hi</span>', id="span-without-spoiler"),
])
async def test_telegram_malformed_html_of_any_kind_falls_back_to_the_text(tg, telegram, markup):
    await tg.send("42", {"text": "Hi & bye", "html": markup})
    refused, retried = telegram.calls_of("sendMessage")
    assert refused.params["text"] == markup
    assert [params["text"] for params in telegram.sent(42)] == ["Hi &amp; bye"]


async def test_telegram_text_too_long_is_a_permanent_failure_not_a_plain_text_resend(tg, telegram):
    with pytest.raises(PermanentFailure, match="message is too long"):
        await tg.send("42", {"text": "😀" * 2049, "html": "<b>" + "😀" * 2049 + "</b>"})
    assert len(telegram.calls_of("sendMessage")) == 1 and telegram.sent() == []


@pytest.mark.parametrize(("answers", "error"), [
    pytest.param([bad_request("chat not found")], PermanentFailure, id="other-400-not-sent-again"),
    pytest.param([bad_request("can't parse entities: Unexpected end tag at byte offset 5"), too_many_requests(3)],
                 RetryLater, id="plain-text-retry-throttled"),
])
async def test_telegram_html_failures_other_than_parsing_map_as_usual(tg, telegram, answers, error):
    telegram.script("sendMessage", *answers)
    with pytest.raises(error):
        await tg.send("42", {"text": "Hi", "html": "<b>Hi</b>"})
    assert len(telegram.calls_of("sendMessage")) == len(answers)
    assert telegram.sent() == []


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


async def _webchat_messages(session_factory, language: str | None) -> dict[str, int]:
    """A bot's and an agent's stored message in one web chat conversation: their ids by author."""
    async with session_factory() as session, session.begin():
        customer = Customer(name="Visitor")
        session.add(customer)
        await session.flush()
        conversation = Conversation(customer_id=customer.id, channel="webchat", chat_id="visitor-1234567890",
                                    language=language)
        session.add(conversation)
        await session.flush()
        bot = await queue_outgoing(session, conversation, payload={"text": "Hi"}, author="bot")
        agent = await queue_outgoing(session, conversation, payload={"text": "<b>x</b>"}, author="agent",
                                     meta={"agent_name": "<i>Olena</i>"})
        return {"bot": bot.id, "agent": agent.id}


async def test_webchat_messenger_publishes_for_the_visitors_sockets(session_factory):
    bus = MemoryEventBus()
    received = []

    async def listener(topic, event):
        received.append(event)

    bus.subscribe(events.WEBCHAT_DELIVER, listener)
    ids = await _webchat_messages(session_factory, "en")
    messenger = WebchatMessenger(bus, session_factory, bot_name="Shop helper")
    result = await messenger.send("visitor-1234567890", {"text": "Hi", "html": "<p><strong>Hi</strong></p>",
                                                         "buttons": BUTTONS, "message_id": ids["bot"]})
    await messenger.send("visitor-1234567890", {"text": "<b>x</b>", "buttons": [], "message_id": ids["agent"]})
    assert received == [
        {"visitor": "visitor-1234567890", "message_id": ids["bot"], "text": "Hi", "buttons": BUTTONS,
         "html": "<p><strong>Hi</strong></p>", "author": "bot", "author_name": "Shop helper"},
        {"visitor": "visitor-1234567890", "message_id": ids["agent"], "text": "<b>x</b>", "buttons": [],
         "author": "agent", "author_name": "<i>Olena</i>"},
    ]
    assert result.channel_message_ids == [f"webchat-{ids['bot']}"]


@pytest.mark.parametrize(("language", "labels"), [("en", ["Bot", "Agent"]), ("ru", ["Бот", "Оператор"]),
                                                  (None, ["Бот", "Оператор"])])
async def test_webchat_labels_without_names_are_generic_in_the_conversations_language(session_factory, language,
                                                                                        labels):
    bus = MemoryEventBus()
    received = []

    async def listener(topic, event):
        received.append(event["author_name"])

    bus.subscribe(events.WEBCHAT_DELIVER, listener)
    ids = await _webchat_messages(session_factory, language)
    async with session_factory() as session, session.begin():  # a reply stored without the agent's name
        agent = await session.get(Message, ids["agent"])
        agent.payload = {"text": "<b>x</b>"}
    messenger = WebchatMessenger(bus, session_factory, default_language="uk")
    for message_id in ids.values():
        await messenger.send("visitor-1234567890", {"text": "x", "message_id": message_id})
    assert received == labels
