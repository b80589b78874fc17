"""POST /webhooks/viber: signed callbacks of every event type, stored once, answered via the REST double."""

import pytest
from sqlalchemy import select

from core.models import Identity
from tests.support import viber_payloads as vp
from tests.support.channels import VIBER_WEBHOOK, eventually, stored_messages
from tests.support.channels import post_viber as _post


async def test_text_is_stored_and_answered_through_the_rest_api(channels_client, channels_settings, viber,
                                                                session_factory):
    token = vp.next_token()
    response = await _post(channels_client, channels_settings, vp.message_event(vp.text("Привіт"), token=token,
                                                                                 language="uk"))
    assert response.status_code == 200
    inbound = await stored_messages(session_factory, "in")
    assert [(m.kind, m.text, m.dedup_key, m.chat_id) for m in inbound] == [("text", "Привіт", str(token), vp.USER_ID)]
    await viber.wait_for_async(lambda: viber.sent(vp.USER_ID))
    body = viber.sent(vp.USER_ID)[0]
    assert (body["type"], body["sender"]["name"], body["_auth_header"]) == ("text", "Relaydesk Demo", viber.token)

    async def delivered_token_stored():
        out = (await stored_messages(session_factory, "out"))[0]
        return out.delivery_status == "sent" and out.channel_message_id == str(body["message_token"])

    await eventually(delivered_token_stored)


@pytest.mark.parametrize("signature", [
    pytest.param("0" * 64, id="forged"), pytest.param("", id="missing"), pytest.param("zz", id="garbage")])
async def test_bad_signature_is_403_and_nothing_is_stored(channels_client, session_factory, signature):
    raw = vp.encode(vp.message_event(vp.text("hi")))
    response = await channels_client.post(VIBER_WEBHOOK, content=raw,
                                          headers={"X-Viber-Content-Signature": signature})
    assert response.status_code == 403
    assert await stored_messages(session_factory) == []


async def test_body_signed_with_another_token_is_403(channels_client, channels_settings, session_factory):
    response = await _post(channels_client, channels_settings, vp.message_event(vp.text("hi")), token="other-token")
    assert response.status_code == 403
    assert await stored_messages(session_factory) == []


@pytest.mark.parametrize("raw", [
    pytest.param(b"{oops", id="malformed"), pytest.param(b'"text"', id="not-an-object"),
    pytest.param(b'{"event": "message", "timestamp": 1}', id="message-without-fields"),
    pytest.param(b'{"event": "message", "timestamp": 1, "message_token": "abc", "sender": {"id": "u"},'
                 b' "message": {"type": "text", "text": "x"}}', id="token-not-a-number"),
])
async def test_unreadable_callback_is_400_and_nothing_is_stored(channels_client, channels_settings, session_factory,
                                                                raw):
    response = await _post(channels_client, channels_settings, raw)
    assert response.status_code == 400
    assert await stored_messages(session_factory) == []


async def test_two_megabyte_body_is_413(channels_client, channels_settings, session_factory):
    response = await _post(channels_client, channels_settings, vp.message_event(vp.text("x" * 2_000_000)))
    assert response.status_code == 413
    assert await stored_messages(session_factory) == []


async def test_message_token_is_the_dedup_key_whether_quoted_or_not(channels_client, channels_settings,
                                                                    session_factory):
    token = vp.next_token()
    event = vp.message_event(vp.text("one"), token=token)
    quoted = vp.encode(event).replace(str(token).encode(), f'"{token}"'.encode())
    for raw in (vp.encode(event), quoted, vp.encode(event)):
        assert (await _post(channels_client, channels_settings, raw)).status_code == 200
    assert [m.dedup_key for m in await stored_messages(session_factory, "in")] == [str(token)]


async def test_conversation_started_answers_with_a_welcome_in_the_users_language(channels_client, channels_settings,
                                                                                 session_factory):
    response = await _post(channels_client, channels_settings, vp.conversation_started(language="ru"))
    body = response.json()
    assert (body["type"], body["sender"]["name"]) == ("text", "Relaydesk Demo")
    assert "Здравствуйте" in body["text"]
    assert await stored_messages(session_factory) == []


async def test_unsubscribe_and_subscribe_follow_the_identity(channels_client, channels_settings, session_factory):
    await _post(channels_client, channels_settings, vp.message_event(vp.text("hi")))

    async def subscribed():
        async with session_factory() as session:
            return (await session.scalar(select(Identity))).subscribed

    await _post(channels_client, channels_settings, vp.unsubscribed())
    assert await subscribed() is False
    await _post(channels_client, channels_settings, vp.subscribed())
    assert await subscribed() is True


@pytest.mark.parametrize("receipts", [
    pytest.param(["delivered"], id="delivered"),
    pytest.param(["delivered", "seen"], id="seen"),
    pytest.param(["seen", "delivered"], id="late-delivered-does-not-undo-seen"),
    pytest.param(["failed"], id="failed"),
])
async def test_receipts_move_the_reply_along_its_delivery_status(channels_client, channels_settings, viber,
                                                                 session_factory, receipts):
    await _post(channels_client, channels_settings, vp.message_event(vp.text("hi")))
    await viber.wait_for_async(lambda: viber.sent(vp.USER_ID))
    token = viber.sent(vp.USER_ID)[0]["message_token"]

    async def sent():
        return (await stored_messages(session_factory, "out"))[0].delivery_status == "sent"

    await eventually(sent)
    for event in receipts:
        assert (await _post(channels_client, channels_settings, vp.receipt(event, token))).status_code == 200
    expected = {"delivered": "delivered", "seen": "seen", "failed": "failed"}[max(
        receipts, key=["delivered", "seen", "failed"].index)]
    assert (await stored_messages(session_factory, "out"))[0].delivery_status == expected


async def test_receipt_for_an_unknown_token_is_acknowledged(channels_client, channels_settings):
    response = await _post(channels_client, channels_settings, vp.receipt("seen", 1))
    assert response.status_code == 200


async def test_contact_shared_from_the_share_phone_keyboard_is_the_users_own(channels_client, channels_settings,
                                                                              session_factory):
    from bots.viber.keyboards import Tracking

    tracking = Tracking(share_phone=True).encode()
    await _post(channels_client, channels_settings, vp.message_event(vp.contact("+380501234567",
                                                                                tracking_data=tracking)))
    await _post(channels_client, channels_settings, vp.message_event(vp.contact("+380671112233")))
    inbound = await stored_messages(session_factory, "in")
    assert [(m.kind, m.payload["own"], m.text) for m in inbound] == [
        ("contact", True, "+380501234567"), ("contact", False, "+380671112233")]


async def test_reply_button_comes_back_as_a_callback(channels_client, channels_settings, session_factory):
    from bots.viber.keyboards import Tracking

    tracking = Tracking(buttons={"Так": "csat:yes", "Ні": "csat:no"}).encode()
    await _post(channels_client, channels_settings, vp.message_event(vp.text("Ні", tracking_data=tracking)))
    inbound = (await stored_messages(session_factory, "in"))[0]
    assert (inbound.kind, inbound.text, inbound.payload["data"]) == ("callback", "csat:no", "csat:no")


@pytest.mark.parametrize(("message", "kind"), [
    pytest.param(vp.picture(), "picture", id="picture"),  # a captioned one is read by its caption
    pytest.param(vp.file(), "file", id="file"),
    pytest.param(vp.sticker(), "sticker", id="sticker"),
    pytest.param(vp.location(), "location", id="location"),
    pytest.param({"type": "hologram", "media": "x"}, "unsupported", id="unknown-type"),
])
async def test_non_text_messages_are_kept_and_the_user_is_told(channels_client, channels_settings, viber,
                                                               session_factory, message, kind):
    assert (await _post(channels_client, channels_settings, vp.message_event(message))).status_code == 200
    inbound = (await stored_messages(session_factory, "in"))[0]
    assert inbound.kind == kind
    await viber.wait_for_async(lambda: viber.sent(vp.USER_ID))
    assert "only read text" in viber.texts_to(vp.USER_ID)[0]


async def test_webhook_check_and_unknown_events_are_acknowledged(channels_client, channels_settings,
                                                                 session_factory):
    for body in (vp.webhook_check(), {"event": "client_status", "timestamp": 1}):
        response = await _post(channels_client, channels_settings, body)
        assert (response.status_code, response.json()) == (200, {"status": 0})
    assert await stored_messages(session_factory) == []


async def test_reply_to_an_unsubscribed_user_fails_and_marks_them(channels_client, channels_settings, viber,
                                                                  session_factory):
    from tests.support.viber_double import viber_status

    viber.script("send_message", viber_status(6))
    await _post(channels_client, channels_settings, vp.message_event(vp.text("hi")))

    async def given_up():
        return [m.delivery_status for m in await stored_messages(session_factory, "out")] == ["failed"]

    await eventually(given_up)
    async with session_factory() as session:
        assert (await session.scalar(select(Identity))).subscribed is False
    assert viber.delivered == []
