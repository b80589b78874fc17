"""How a stored message looks in the agents' timeline (attachments as the channel adapters keep them)."""

import pytest

from core.models import Message
from handoff.services import message_view


@pytest.mark.parametrize("payload, expected", [
    pytest.param({"attachment": {"type": "photo", "file_id": "AgACAgIAAxkBAAIB", "width": 1280}},
                 [{"kind": "photo", "file_id": "AgACAgIAAxkBAAIB", "name": None}], id="telegram-photo"),
    pytest.param({"attachment": {"type": "file", "media": "http://example.com/doc.pdf", "file_name": "doc.pdf"}},
                 [{"kind": "file", "file_id": "http://example.com/doc.pdf", "name": "doc.pdf"}], id="viber-file"),
    pytest.param({}, [], id="text"),
])
def test_attachments_in_the_timeline(payload, expected) -> None:
    message = Message(id=1, conversation_id=2, direction="in", author="customer", channel="telegram", kind="photo",
                      text="", payload=payload, delivery_status="received")
    assert message_view(message)["attachments"] == expected


def test_buttons_show_their_labels() -> None:
    message = Message(id=1, conversation_id=2, direction="out", author="bot", channel="viber", kind="text",
                      text="Rate us", delivery_status="pending",
                      payload={"buttons": [[{"text": "1", "data": "csat:1"}, {"text": "2", "data": "csat:2"}]]})
    assert message_view(message)["buttons"] == [["1", "2"]]
