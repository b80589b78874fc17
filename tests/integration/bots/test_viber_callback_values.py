"""POST /webhooks/viber checks the values of ids, tokens, coordinates and texts, not only their types.

Found by QA: a ``sender.id`` holding NUL was stored as an identity with U+FFFD (replies would go to an id
Viber does not know), ``lat: 1e308`` and a 2**80 ``message_token`` were stored, and a text message
without text was stored as an empty one. Each is a 400 naming the field, nothing stored; what Viber
documents still passes.
"""

import pytest

from tests.support import viber_payloads as vp
from tests.support.channels import post_viber, stored_messages

ID_RULE = "a string of at most 128 characters without control characters"
TOKEN_RULE = "an integer of at most 64 bits"


def _raw_location(lat: str, lon: str = "30.52") -> bytes:
    """A location message with coordinates written as raw JSON (NaN and Infinity are no Python literals in JSON)."""
    body = vp.encode(vp.message_event(vp.location(lat=12.5, lon=34.5)))
    return body.replace(b'"lat": 12.5', b'"lat": ' + lat.encode()).replace(b'"lon": 34.5', b'"lon": ' + lon.encode())


@pytest.mark.parametrize(("body", "detail"), [
    pytest.param(vp.message_event(vp.text("hi"), user_id="vbNULID\x00"), f"sender.id must be {ID_RULE}",
                 id="sender-id-nul"),
    pytest.param(vp.message_event(vp.text("hi"), user_id="vb\nid"), f"sender.id must be {ID_RULE}",
                 id="sender-id-newline"),
    pytest.param(vp.message_event(vp.text("hi"), user_id="vb\x85id"), f"sender.id must be {ID_RULE}",
                 id="sender-id-c1-control"),
    pytest.param(vp.encode(vp.message_event(vp.text("hi"), user_id="vbLONE")).replace(b"vbLONE", b"vb\\ud800"),
                 f"sender.id must be {ID_RULE}", id="sender-id-lone-surrogate"),
    pytest.param(vp.conversation_started(user_id="vb\x7fid"), f"user.id must be {ID_RULE}",
                 id="conversation-started-user-id-delete"),
    pytest.param(vp.receipt("seen", 1, user_id="vb\x00"), f"user_id must be {ID_RULE}", id="seen-user-id-nul"),
    pytest.param(vp.message_event(vp.text("hi"), token=2**80), f"message_token must be {TOKEN_RULE}",
                 id="token-80-bits"),
    pytest.param(vp.encode(vp.message_event(vp.text("hi"), token=123)).replace(b": 123,", f': "{2**64}",'.encode()),
                 f"message_token must be {TOKEN_RULE}", id="quoted-token-65-bits"),
    pytest.param(vp.receipt("delivered", 2**80), f"message_token must be {TOKEN_RULE}", id="receipt-token-80-bits"),
    # Found in review: int() of a quoted token over 4300 digits raised, and the webhook answered 500.
    pytest.param(vp.encode(vp.message_event(vp.text("hi"), token=123)).replace(b": 123,", b': "' + b"9" * 5000 + b'",'),
                 f"message_token must be {TOKEN_RULE}", id="token-quoted-5000-digits"),
    pytest.param(vp.message_event(vp.location(lat=1e308)), "message.location.lat must be a number from -90 to 90",
                 id="lat-1e308"),
    pytest.param(vp.message_event(vp.location(lat=-90.5)), "message.location.lat must be a number from -90 to 90",
                 id="lat-below-90"),
    pytest.param(vp.message_event(vp.location(lon=180.01)),
                 "message.location.lon must be a number from -180 to 180", id="lon-beyond-180"),
    pytest.param(_raw_location("NaN"), "message.location.lat must be a number from -90 to 90", id="lat-nan"),
    pytest.param(_raw_location("50", "-Infinity"), "message.location.lon must be a number from -180 to 180",
                 id="lon-minus-infinity"),
    pytest.param(_raw_location("1e400"), "message.location.lat must be a number from -90 to 90",
                 id="lat-overflowing-to-infinity"),
    pytest.param(vp.message_event({"type": "location"}),
                 "a location message needs message.location.lat; a location message needs message.location.lon",
                 id="location-without-coordinates"),
    pytest.param(vp.message_event({"type": "text"}), "a text message needs message.text", id="text-missing"),
    pytest.param(vp.message_event(vp.text("")), "a text message needs message.text", id="text-empty"),
])
async def test_a_value_viber_would_not_send_is_400_naming_the_field(channels_client, channels_settings,
                                                                   session_factory, body, detail) -> None:
    response = await post_viber(channels_client, channels_settings, body)
    assert (response.status_code, response.json()["detail"]) == (400, f"not a Viber callback: {detail}")
    assert await stored_messages(session_factory) == []


@pytest.mark.parametrize(("message", "kind"), [
    pytest.param(vp.text("Привіт"), "text", id="text"),
    pytest.param(vp.contact("+380501234567"), "contact", id="contact"),
    pytest.param(vp.picture(caption="this one"), "picture", id="picture"),
    pytest.param(vp.file(), "file", id="file"),
    pytest.param(vp.sticker(), "sticker", id="sticker"),
    pytest.param(vp.location(), "location", id="location"),
    pytest.param(vp.location(lat=-90, lon=180), "location", id="location-at-the-edges"),
    pytest.param(vp.location(lat=0, lon=0), "location", id="location-zero"),
])
async def test_documented_messages_still_pass(channels_client, channels_settings, session_factory, message,
                                              kind) -> None:
    token = 2**64 - 1  # the widest 64-bit token
    response = await post_viber(channels_client, channels_settings, vp.message_event(message, token=token))
    assert response.status_code == 200
    assert [(m.kind, m.chat_id, m.dedup_key) for m in await stored_messages(session_factory, "in")] == [
        (kind, vp.USER_ID, str(token))]


@pytest.mark.parametrize("body", [
    pytest.param(vp.conversation_started(), id="conversation-started"),
    pytest.param(vp.subscribed(), id="subscribed"),
    pytest.param(vp.unsubscribed(), id="unsubscribed"),
    pytest.param(vp.receipt("delivered", vp.next_token()), id="delivered"),
    pytest.param(vp.receipt("seen", vp.next_token()), id="seen"),
    pytest.param(vp.receipt("failed", vp.next_token()), id="failed"),
    pytest.param(vp.webhook_check(), id="webhook"),
])
async def test_documented_events_still_pass(channels_client, channels_settings, body) -> None:
    assert (await post_viber(channels_client, channels_settings, body)).status_code == 200
