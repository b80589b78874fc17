"""POST /webhooks/telegram: verified, stored once before the 200, answered through the Bot API double."""

import html

import pytest
from sqlalchemy import func, select

from core.models import Customer, Identity
from tests.support import telegram_payloads as tp
from tests.support.channels import TELEGRAM_WEBHOOK, eventually, stored_messages, telegram_headers
from tests.support.channels import post_telegram as _post


async def test_text_is_stored_and_answered_as_escaped_html(channels_client, channels_settings, telegram,
                                                           session_factory):
    response = await _post(channels_client, channels_settings, tp.text_update("Hi <b>there</b>", language_code="en"))
    assert response.status_code == 200
    stored = await stored_messages(session_factory, "in")  # stored before the webhook answered
    assert [(m.channel, m.kind, m.text, m.chat_id) for m in stored] == [
        ("telegram", "text", "Hi <b>there</b>", str(tp.USER_ID))]
    await telegram.wait_for_async(lambda: telegram.sent(tp.USER_ID))
    sent = telegram.sent(tp.USER_ID)[0]
    assert sent["parse_mode"] == "HTML"
    async with session_factory() as session:
        identity = await session.scalar(select(Identity))
        assert (identity.language_code, identity.username) == ("en", "Test")
        assert (await session.scalar(select(Customer))).name == "Test Test Lastname"
    out = await stored_messages(session_factory, "out")

    async def sent_status():
        return (await stored_messages(session_factory, "out"))[0].delivery_status == "sent"

    await eventually(sent_status)
    assert (await stored_messages(session_factory, "out"))[0].channel_message_id == str(sent["message_id"])
    assert html.unescape(sent["text"]) == out[0].text  # stored as written, sent as escaped HTML


async def test_reply_text_with_markup_characters_is_escaped(channels_client, channels_settings, telegram,
                                                            session_factory):
    from bots.messengers.telegram import TelegramMessenger
    from bots.telegram.dispatcher import build_bot

    bot = build_bot(channels_settings)
    try:
        await TelegramMessenger(bot).send(str(tp.USER_ID), {"text": "1 < 2 & <script>"})
    finally:
        await bot.session.close()
    assert telegram.texts_to(tp.USER_ID) == ["1 &lt; 2 &amp; &lt;script&gt;"]


@pytest.mark.parametrize("headers", [
    pytest.param({"X-Telegram-Bot-Api-Secret-Token": "forged-secret"}, id="forged"),
    pytest.param({}, id="missing"),
    pytest.param({"X-Telegram-Bot-Api-Secret-Token": "test-webhook-secret_"}, id="prefix"),
])
async def test_wrong_secret_is_401_and_nothing_is_stored(channels_client, telegram, session_factory, headers):
    response = await channels_client.post(TELEGRAM_WEBHOOK, json=tp.text_update("hi"), headers=headers)
    assert response.status_code == 401
    assert await stored_messages(session_factory) == []
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Customer.id))) == 0


@pytest.mark.parametrize("body", [
    pytest.param(b"{not json", id="malformed"),
    pytest.param(b"[1, 2]", id="not-an-object"),
    pytest.param(b'{"update_id": "x", "message": {"text": 1}}', id="not-an-update"),
    pytest.param(b"\xff\xfe", id="not-utf8"),
])
async def test_bad_body_is_400_and_nothing_is_stored(channels_client, channels_settings, session_factory, body):
    response = await channels_client.post(TELEGRAM_WEBHOOK, content=body,
                                          headers={**telegram_headers(channels_settings),
                                                   "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"]
    assert await stored_messages(session_factory) == []


async def test_two_megabyte_body_is_413_and_nothing_is_stored(channels_client, channels_settings, session_factory):
    payload = tp.text_update("x" * 2_000_000)
    response = await _post(channels_client, channels_settings, payload)
    assert response.status_code == 413
    assert await stored_messages(session_factory) == []


async def test_duplicates_and_out_of_order_retries_are_stored_once(channels_client, channels_settings, telegram,
                                                                   session_factory):
    first, second, third = (tp.text_update(text, update_id=500 + i) for i, text in enumerate(["one", "two", "three"]))
    for payload in (third, first, second, first, third, first):  # Telegram retried some, out of order
        assert (await _post(channels_client, channels_settings, payload)).status_code == 200
    inbound = await stored_messages(session_factory, "in")
    assert sorted(m.dedup_key for m in inbound) == ["500", "501", "502"]
    assert [m.text for m in inbound] == ["three", "one", "two"]  # arrival order is the timeline order
    await telegram.wait_for_async(lambda: len(telegram.sent(tp.USER_ID)) == 3)
    await eventually(lambda: len(telegram.calls_of("sendMessage")) == 3)  # and never a fourth


async def test_start_with_deep_link_payload(channels_client, channels_settings, session_factory):
    await _post(channels_client, channels_settings, tp.start_update("order_1042"))
    await _post(channels_client, channels_settings, tp.start_update(None, user_id=2222))
    inbound = await stored_messages(session_factory, "in")
    assert [(m.kind, m.payload.get("start"), m.text) for m in inbound] == [
        ("start", "order_1042", "/start order_1042"), ("start", None, "/start")]


async def test_contacts_are_stored_with_whether_they_are_the_senders_own(
        channels_client, channels_settings, session_factory):
    await _post(channels_client, channels_settings, tp.contact_update("380501234567"))
    await _post(channels_client, channels_settings, tp.contact_update("+380 67 765 4321", contact_user_id=999))
    inbound = await stored_messages(session_factory, "in")
    assert [(m.kind, m.payload["own"], m.payload["contact"]["phone_number"]) for m in inbound] == [
        ("contact", True, "380501234567"), ("contact", False, "+380 67 765 4321")]


async def test_callback_is_stored_with_its_data_and_always_answered(channels_client, channels_settings, telegram,
                                                                    session_factory):
    await _post(channels_client, channels_settings, tp.callback_update("csat:5"))
    inbound = await stored_messages(session_factory, "in")
    assert [(m.kind, m.text, m.payload["data"]) for m in inbound] == [("callback", "csat:5", "csat:5")]
    answers = telegram.calls_of("answerCallbackQuery")
    assert [call.params["callback_query_id"] for call in answers] == ["4382bfdwdsb323b2d9"]


async def test_callback_answer_failure_does_not_fail_the_update(channels_client, channels_settings, telegram,
                                                                session_factory):
    from tests.support.telegram_double import bad_gateway

    telegram.script("answerCallbackQuery", bad_gateway())
    response = await _post(channels_client, channels_settings, tp.callback_update("yes"))
    assert response.status_code == 200
    assert len(await stored_messages(session_factory, "in")) == 1


async def test_edited_message_is_kept_as_an_edit(channels_client, channels_settings, session_factory):
    await _post(channels_client, channels_settings, tp.edited_update("fixed typo"))
    inbound = await stored_messages(session_factory, "in")
    assert [(m.kind, m.text) for m in inbound] == [("edited", "fixed typo")]
    assert "message_id" in inbound[0].payload and inbound[0].payload["edit_date"]


@pytest.mark.parametrize(("payload", "kind", "file_id"), [
    pytest.param(tp.photo_update(), "photo", "AgADBAADbqcxG-large", id="photo"),  # captioned: test_captions_telegram
    pytest.param(tp.document_update(), "document", "BQADBAADdocument", id="document"),
    pytest.param(tp.voice_update(), "voice", "AwADBAADvoice", id="voice"),
    pytest.param(tp.sticker_update(), "sticker", "CAADAgADsticker", id="sticker"),
    pytest.param(tp.video_update(), "video", "BAADBAADvideo", id="video"),
])
async def test_attachments_are_stored_with_file_ids_and_the_shopper_is_told(
        channels_client, channels_settings, telegram, session_factory, payload, kind, file_id):
    await _post(channels_client, channels_settings, payload)
    inbound = (await stored_messages(session_factory, "in"))[0]
    assert inbound.kind == kind
    assert inbound.payload["attachment"]["file_id"] == file_id
    await telegram.wait_for_async(lambda: telegram.sent(tp.USER_ID))
    assert "only read text" in telegram.texts_to(tp.USER_ID)[0]


@pytest.mark.parametrize(("language", "expected"), [
    pytest.param("uk", "лише текстові", id="uk"), pytest.param("ru", "только текстовые", id="ru"),
    pytest.param("en-GB", "only read text", id="en"), pytest.param("de", "лише текстові", id="fallback-default"),
])
async def test_notice_about_attachments_follows_the_language_hint(channels_client, channels_settings, telegram,
                                                                  language, expected):
    payload = tp.location_update()
    payload["message"]["from"]["language_code"] = language
    await _post(channels_client, channels_settings, payload)
    await telegram.wait_for_async(lambda: telegram.sent(tp.USER_ID))
    assert expected in telegram.texts_to(tp.USER_ID)[0]


async def test_unknown_message_type_is_kept_as_unsupported(channels_client, channels_settings, telegram,
                                                           session_factory):
    await _post(channels_client, channels_settings, tp.dice_update())
    inbound = (await stored_messages(session_factory, "in"))[0]
    assert (inbound.kind, inbound.payload["content_type"]) == ("unsupported", "dice")
    await telegram.wait_for_async(lambda: telegram.sent(tp.USER_ID))


async def test_group_messages_and_unhandled_update_types_are_acknowledged_and_ignored(
        channels_client, channels_settings, session_factory):
    group = tp.text_update("hello group")
    group["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Shop fans"}
    inline = {"update_id": 9000, "inline_query": {"id": "1", "from": tp.sender(), "query": "x", "offset": ""}}
    for payload in (group, inline):
        assert (await _post(channels_client, channels_settings, payload)).status_code == 200
    assert await stored_messages(session_factory) == []


async def test_webhook_is_404_when_telegram_is_not_configured(client, session_factory):
    response = await client.post(TELEGRAM_WEBHOOK, json=tp.text_update("hi"),
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
    assert response.status_code == 404
    assert await stored_messages(session_factory) == []


async def _subscribed(session_factory):
    async with session_factory() as session:
        return (await session.scalar(select(Identity))).subscribed


async def test_blocking_and_unblocking_the_bot_follows_the_identity(channels_client, channels_settings,
                                                                    session_factory):
    await _post(channels_client, channels_settings, tp.text_update("hi"))
    await _post(channels_client, channels_settings, tp.chat_member_update("kicked"))
    assert await _subscribed(session_factory) is False
    await _post(channels_client, channels_settings, tp.chat_member_update("member"))
    assert await _subscribed(session_factory) is True


async def test_reply_to_a_shopper_who_blocked_the_bot_fails_and_marks_them(channels_client, channels_settings,
                                                                           telegram, session_factory):
    from tests.support.telegram_double import blocked_by_user

    telegram.script("sendMessage", blocked_by_user())
    await _post(channels_client, channels_settings, tp.text_update("hi"))

    async def given_up():
        return [m.delivery_status for m in await stored_messages(session_factory, "out")] == ["failed"]

    await eventually(given_up)
    assert await _subscribed(session_factory) is False
    assert telegram.delivered == []
