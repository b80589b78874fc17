"""Text no database can store as it came: a NUL character (PostgreSQL refuses it in text and JSON) and
a lone UTF-16 surrogate (no UTF-8 encoding exists), which JSON escapes like "\\u0000" and "\\ud800"
can carry from a broken or hostile client. The message is kept, with those characters replaced, and
answered; it never fails over and over as the channel resends it.
"""

import json
import uuid

import websockets

from tests.integration.bots.test_webchat_errors import frames_until
from tests.support import telegram_payloads as tp
from tests.support import viber_payloads as vp
from tests.support.channels import channel_settings, delivery_test_steps, post_viber, stored_messages, telegram_headers
from tests.support.live_server import LiveServer

# As it stands in the raw JSON: "\\u0000", a lone "\\ud800", and a valid pair (😀) that must survive.
HOSTILE_TEXT = 'where is my order\\u0000 \\ud800 #42 \\ud83d\\ude00'
CLEANED = "where is my order\ufffd \ufffd #42 😀"


def with_hostile_text(body: dict) -> bytes:
    """``body`` as JSON bytes, its PLACEHOLDER replaced by the raw escapes (json.dumps cannot write them)."""
    return json.dumps(body).replace("PLACEHOLDER", HOSTILE_TEXT).encode()


async def test_a_telegram_update_with_nul_and_a_lone_surrogate_is_stored_cleaned_and_answered(
        channels_client, channels_settings, telegram, session_factory):
    body = with_hostile_text(tp.text_update("PLACEHOLDER", language_code="en"))
    response = await channels_client.post("/webhooks/telegram", content=body, headers={
        "Content-Type": "application/json", **telegram_headers(channels_settings)})
    assert response.status_code == 200
    [stored] = await stored_messages(session_factory, "in")
    assert stored.text == CLEANED
    assert stored.payload is not None and "\x00" not in json.dumps(stored.payload)
    await telegram.wait_for_async(lambda: telegram.sent(tp.USER_ID))  # and the shopper is answered


async def test_a_viber_message_with_nul_and_a_lone_surrogate_is_stored_cleaned(
        channels_client, channels_settings, viber, session_factory):
    body = with_hostile_text(vp.message_event(vp.text("PLACEHOLDER")))
    response = await post_viber(channels_client, channels_settings, body)
    assert response.status_code == 200
    [stored] = await stored_messages(session_factory, "in")
    assert stored.text == CLEANED
    await viber.wait_for_async(lambda: viber.sent(vp.USER_ID))  # and the shopper is answered


async def test_the_same_update_sent_again_is_still_one_message(channels_client, channels_settings, telegram,
                                                               session_factory):
    body = with_hostile_text(tp.text_update("PLACEHOLDER", language_code="en"))
    headers = {"Content-Type": "application/json", **telegram_headers(channels_settings)}
    for _ in range(2):
        assert (await channels_client.post("/webhooks/telegram", content=body, headers=headers)).status_code == 200
    assert [m.text for m in await stored_messages(session_factory, "in")] == [CLEANED]


async def test_web_chat_frames_with_unstorable_text_or_an_id_out_of_range_do_not_break_the_chat(
        settings, backend, session_factory):
    visitor = uuid.uuid4().hex
    with LiveServer(channel_settings(backend), flow_steps=delivery_test_steps()) as server:
        async with websockets.connect(f"{server.ws_url}/chat/ws?visitor={visitor}&lang=en") as socket:
            await frames_until(socket, "history")
            await socket.send(with_hostile_text({"type": "message", "id": "c1", "text": "PLACEHOLDER"}).decode())
            accepted = await frames_until(socket, "accepted")
            [stored] = await stored_messages(session_factory, "in")
            assert accepted == {"type": "accepted", "id": "c1", "message_id": stored.id}
            assert (await frames_until(socket, "message"))["text"] == f"echo: {CLEANED}"
            await socket.send(json.dumps({"type": "ack", "message_id": 2**40}))
            assert await frames_until(socket, "error") == {
                "type": "error", "detail": "message_id must be a positive integer"}
            await socket.send(json.dumps({"type": "message", "id": "c2", "text": "still here"}))
            assert (await frames_until(socket, "message"))["text"] == "echo: still here"
    assert [m.text for m in await stored_messages(session_factory, "in")] == [CLEANED, "still here"]
