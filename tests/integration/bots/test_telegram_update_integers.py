"""POST /webhooks/telegram reads the integers of an Update strictly: JSON integers of at most 52 significant bits.

Found by QA: ``update_id: true`` was read as 1 and stored as dedup key "1", so the real update 1 was
then dropped as a repeat; ``chat.id = 2**70`` was stored as a chat and got replies queued.
"""

import copy

import pytest

from tests.support import telegram_payloads as tp
from tests.support.channels import post_telegram as _post
from tests.support.channels import stored_messages

NOT_AN_INTEGER = "Input should be a valid integer"
TOO_WIDE = "Telegram integers have at most 52 significant bits"


def _with(update: dict, path: str, value) -> dict:
    """``update`` with the field at dotted ``path`` set to ``value``."""
    changed = copy.deepcopy(update)
    *parents, last = path.split(".")
    body = changed
    for part in parents:
        body = body[part]
    body[last] = value
    return changed


@pytest.mark.parametrize(("path", "value", "error"), [
    pytest.param("update_id", True, NOT_AN_INTEGER, id="update_id-true"),
    pytest.param("update_id", False, NOT_AN_INTEGER, id="update_id-false"),
    pytest.param("update_id", 7.0, NOT_AN_INTEGER, id="update_id-float"),
    pytest.param("update_id", "7", NOT_AN_INTEGER, id="update_id-numeric-string"),
    pytest.param("update_id", 2**70, TOO_WIDE, id="update_id-70-bits"),
    pytest.param("message.message_id", True, NOT_AN_INTEGER, id="message_id-true"),
    pytest.param("message.chat.id", 2**70, TOO_WIDE, id="chat-id-70-bits"),
    pytest.param("message.chat.id", -(2**52), TOO_WIDE, id="chat-id-minus-2-to-52"),
    pytest.param("message.chat.id", "42", NOT_AN_INTEGER, id="chat-id-numeric-string"),
    pytest.param("message.from.id", True, NOT_AN_INTEGER, id="from-id-true"),
    pytest.param("message.from.id", 2**52, TOO_WIDE, id="from-id-2-to-52"),
    pytest.param("message.contact.user_id", 1.0, NOT_AN_INTEGER, id="contact-user_id-float"),
])
async def test_an_integer_telegram_would_not_send_is_400_naming_the_field(
        channels_client, channels_settings, session_factory, path, value, error) -> None:
    update = _with(tp.contact_update("+380501234567"), path, value)
    response = await _post(channels_client, channels_settings, update)
    assert (response.status_code, response.json()["detail"]) == (400, f"not a Telegram Update: {path}: {error}")
    assert await stored_messages(session_factory) == []


async def test_a_callback_query_sender_id_is_checked_too(channels_client, channels_settings, session_factory) -> None:
    update = _with(tp.callback_update("csat:5"), "callback_query.from.id", False)
    response = await _post(channels_client, channels_settings, update)
    assert response.status_code == 400
    assert response.json()["detail"] == f"not a Telegram Update: callback_query.from.id: {NOT_AN_INTEGER}"


async def test_every_bad_integer_is_named_at_once(channels_client, channels_settings) -> None:
    update = _with(_with(tp.text_update("hi"), "update_id", True), "message.chat.id", 2**70)
    response = await _post(channels_client, channels_settings, update)
    assert response.json()["detail"] == (f"not a Telegram Update: update_id: {NOT_AN_INTEGER}; "
                                          f"message.chat.id: {TOO_WIDE}")


async def test_a_bool_update_id_does_not_take_the_place_of_the_real_update_1(
        channels_client, channels_settings, session_factory) -> None:
    refused = await _post(channels_client, channels_settings, tp.text_update("bool id", update_id=True))
    real = await _post(channels_client, channels_settings, tp.text_update("real update 1", update_id=1))
    assert (refused.status_code, real.status_code) == (400, 200)
    assert [(m.text, m.dedup_key) for m in await stored_messages(session_factory, "in")] == [("real update 1", "1")]


BIG_USER = 7_000_000_000  # user ids beyond 32 bits are real; this one needs 33 bits
WIDEST = 2**52 - 1  # 52 significant bits: the widest id the Bot API promises


@pytest.mark.parametrize("update", [
    pytest.param(tp.text_update("hi", user_id=BIG_USER), id="text"),
    pytest.param(tp.start_update("order-42", user_id=BIG_USER), id="start"),
    pytest.param(tp.contact_update("+380501234567", user_id=BIG_USER, contact_user_id=BIG_USER), id="contact"),
    pytest.param(tp.callback_update("csat:5", user_id=BIG_USER), id="callback"),
    pytest.param(tp.edited_update("hi again", user_id=BIG_USER), id="edited"),
    pytest.param(tp.photo_update(user_id=BIG_USER, caption="this one"), id="photo"),
    pytest.param(tp.document_update(user_id=BIG_USER), id="document"),
    pytest.param(tp.voice_update(user_id=BIG_USER), id="voice"),
    pytest.param(tp.sticker_update(user_id=BIG_USER), id="sticker"),
    pytest.param(tp.video_update(user_id=BIG_USER), id="video"),
    pytest.param(tp.location_update(user_id=BIG_USER), id="location"),
    pytest.param(tp.dice_update(user_id=BIG_USER), id="dice"),
    pytest.param(tp.text_update("hi", user_id=WIDEST, update_id=WIDEST), id="52-bit-ids"),
])
async def test_documented_updates_still_pass_with_wide_ids(channels_client, channels_settings, session_factory,
                                                          update) -> None:
    response = await _post(channels_client, channels_settings, update)
    assert response.status_code == 200
    user_id = update[next(key for key in update if key != "update_id")]["from"]["id"]
    assert [m.chat_id for m in await stored_messages(session_factory, "in")] == [str(user_id)]


async def test_blocking_the_bot_with_a_wide_user_id_passes(channels_client, channels_settings) -> None:
    response = await _post(channels_client, channels_settings, tp.chat_member_update("kicked", user_id=BIG_USER))
    assert response.status_code == 200


@pytest.mark.parametrize("update", [
    pytest.param(tp.update("message", {"message_id": 77, "date": tp.DATE, "text": "hello group",
                                       "chat": {"id": -1001234567890, "type": "supergroup", "title": "Shop fans"},
                                       "from": tp.sender(BIG_USER)}), id="supergroup"),
    pytest.param(tp.update("message", {"message_id": 78, "date": tp.DATE, "text": "hello",
                                       "chat": {"id": -4012345678, "type": "group", "title": "Team"},
                                       "from": tp.sender()}), id="group"),
    pytest.param(tp.update("channel_post", {"message_id": 79, "date": tp.DATE, "text": "news",
                                            "chat": {"id": -1009876543210, "type": "channel", "title": "Shop"},
                                            "sender_chat": {"id": -1009876543210, "type": "channel",
                                                            "title": "Shop"}}), id="channel-post"),
])
async def test_negative_group_and_channel_ids_are_acknowledged(channels_client, channels_settings,
                                                               session_factory, update) -> None:
    response = await _post(channels_client, channels_settings, update)
    assert response.status_code == 200
    assert await stored_messages(session_factory) == []  # groups and channels are not served, as before
