"""POST /webhooks/viber checks the callback's fields against Viber's format: 400 naming each problem in
words, nothing stored, no flow run (found by QA: ``"text": 5`` was handed to a person as ``bot_failure``)."""

import pytest

from core.models import Customer
from tests.support import viber_payloads as vp
from tests.support.channels import post_viber, stored_messages


def _message(**changes) -> dict:
    """A message callback with top-level fields replaced (None removes one)."""
    event = vp.message_event(vp.text("hi"))
    for field, value in changes.items():
        if value is None:
            del event[field]
        else:
            event[field] = value
    return event


@pytest.mark.parametrize("body, detail", [
    pytest.param(vp.message_event({"type": "text", "text": 5}), "message.text must be a string", id="text-number"),
    pytest.param(_message(sender=None), "a message event needs sender.id", id="no-sender"),
    pytest.param(_message(message_token="abc"), "message_token must be an integer of at most 64 bits",
                 id="token-not-a-number"),
    pytest.param(_message(sender="abc"), "sender must be an object; a message event needs sender.id",
                 id="sender-not-an-object"),
    pytest.param(vp.message_event(vp.location(lat="north")), "message.location.lat must be a number from -90 to 90",
                 id="location"),
    pytest.param(vp.message_event({"type": 7}), "message.type must be a string", id="type-number"),
    pytest.param({"event": "seen", "timestamp": 1, "message_token": 1}, "a seen event needs user_id",
                 id="seen-without-user"),
    pytest.param({"timestamp": 1}, "event is required", id="no-event"),
    pytest.param(vp.message_event(vp.text("hi"), user_id="u" * 129), "sender.id must be a string of at most 128 "
                 "characters without control characters", id="sender-id-too-long"),
])
async def test_a_malformed_callback_is_400_naming_the_problem(channels_client, channels_settings, session_factory,
                                                              body, detail) -> None:
    response = await post_viber(channels_client, channels_settings, body)
    assert (response.status_code, response.json()["detail"]) == (400, f"not a Viber callback: {detail}")
    assert await stored_messages(session_factory) == []


async def test_every_wrong_field_is_named_at_once(channels_client, channels_settings, session_factory) -> None:
    body = vp.message_event({"type": "picture", "media": 3, "text": "", "tracking_data": 7}, name=5)
    response = await post_viber(channels_client, channels_settings, body)
    assert response.status_code == 400
    assert response.json()["detail"] == ("not a Viber callback: sender.name must be a string; "
                                         "message.media must be a string; message.tracking_data must be a string")



async def test_a_name_longer_than_the_database_holds_is_cut_and_the_message_kept(
        channels_client, channels_settings, session_factory) -> None:
    # Found by QA: a 256-character sender.name failed every retry with a 500 and the message never arrived.
    response = await post_viber(channels_client, channels_settings,
                                vp.message_event(vp.text("Сколько стоит доставка?"), name="Я" * 300))
    assert response.status_code == 200
    [stored] = await stored_messages(session_factory, "in")
    assert stored.text == "Сколько стоит доставка?"
    async with session_factory() as session:
        customer = await session.get(Customer, stored.customer_id)
    assert customer.name == "Я" * 255
