"""Viber receipts for any part of a reply sent in several parts move that reply's delivery status.

A reply longer than Viber's 7000 characters goes out as several messages, each with its own token,
and Viber calls back per token. The reply shows "failed" once any part failed, "seen" once any part
is seen (Viber sends one ``seen`` for all the unread messages) and "delivered" once every part is.
"""

import pytest

from core.models import PendingReceipt
from tests.integration.bots.test_outbox import rows
from tests.support import viber_payloads as vp
from tests.support.channels import eventually, post_viber, stored_messages

# The echo step answers "echo: " and the text: about 15 400 characters, three Viber messages.
LONG_QUESTION = "Питання про доставку. " * 700
PARTS = 3


async def _reply(session_factory):
    [reply] = await stored_messages(session_factory, "out")
    return reply


async def _send_recorded(session_factory, viber) -> bool:
    """Whether every part went out and the worker recorded the send (it stores the last part's token last)."""
    sent = viber.sent(vp.USER_ID)
    return len(sent) == PARTS and (await _reply(session_factory)).channel_message_id == str(sent[-1]["message_token"])


async def _post_receipts(client, settings, receipts) -> None:
    for event, token in receipts:
        assert (await post_viber(client, settings, vp.receipt(event, token))).status_code == 200


@pytest.mark.parametrize(("first_part", "final"), [
    pytest.param("failed", "failed", id="failed-first-part-fails-the-reply"),
    pytest.param("seen", "seen", id="seen-first-part-is-the-reply-seen"),
])
async def test_a_receipt_for_the_first_part_moves_the_reply(channels_client, channels_settings, viber,
                                                            session_factory, first_part, final):
    await post_viber(channels_client, channels_settings, vp.message_event(vp.text(LONG_QUESTION)))
    await eventually(lambda: _send_recorded(session_factory, viber))
    tokens = [body["message_token"] for body in viber.sent(vp.USER_ID)]
    assert len(tokens) == PARTS and all(len(body["text"]) <= 7000 for body in viber.sent(vp.USER_ID))
    assert (await _reply(session_factory)).delivery_status == "sent"
    await _post_receipts(channels_client, channels_settings, [(first_part, tokens[0])])
    assert (await _reply(session_factory)).delivery_status == final
    assert await rows(session_factory, PendingReceipt) == []


async def test_the_reply_is_delivered_once_every_part_is(channels_client, channels_settings, viber,
                                                         session_factory):
    await post_viber(channels_client, channels_settings, vp.message_event(vp.text(LONG_QUESTION)))
    await eventually(lambda: _send_recorded(session_factory, viber))
    first, *others = [body["message_token"] for body in viber.sent(vp.USER_ID)]
    await _post_receipts(channels_client, channels_settings, [("delivered", token) for token in others])
    assert (await _reply(session_factory)).delivery_status == "sent"  # the first part is not on the phone yet
    await _post_receipts(channels_client, channels_settings, [("delivered", first)])
    assert (await _reply(session_factory)).delivery_status == "delivered"
    assert await rows(session_factory, PendingReceipt) == []


@pytest.mark.parametrize(("first_part", "after_the_rest", "final"), [
    pytest.param(["failed"], [], "failed", id="failed"),
    pytest.param(["delivered", "seen"], [], "seen", id="seen"),
    pytest.param(["delivered"], ["delivered"], "delivered", id="delivered-with-the-rest"),
])
async def test_first_part_receipts_before_the_send_is_recorded_are_applied_when_it_is(
        channels_client, channels_settings, viber, session_factory, first_part, after_the_rest, final):
    viber.hold_answers()  # Viber has the first part and calls back; its answer to send_message is still on the way
    await post_viber(channels_client, channels_settings, vp.message_event(vp.text(LONG_QUESTION)))
    await viber.wait_for_async(lambda: viber.sent(vp.USER_ID))
    first = viber.sent(vp.USER_ID)[0]["message_token"]
    await _post_receipts(channels_client, channels_settings, [(event, first) for event in first_part])
    assert (await _reply(session_factory)).delivery_status == "pending"
    assert len(await rows(session_factory, PendingReceipt)) == len(first_part)
    viber.release_answers()
    await eventually(lambda: _send_recorded(session_factory, viber))
    assert await rows(session_factory, PendingReceipt) == []
    rest = [body["message_token"] for body in viber.sent(vp.USER_ID)[1:]]
    await _post_receipts(channels_client, channels_settings, [(event, token) for token in rest
                                                              for event in after_the_rest])
    assert (await _reply(session_factory)).delivery_status == final
