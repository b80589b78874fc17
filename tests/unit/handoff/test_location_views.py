"""A shared location in the agents' timeline carries its coordinates (as Telegram and Viber keep them)."""

import pytest

from core.models import Message
from handoff.services import message_view

KYIV = {"latitude": 50.4501, "longitude": 30.5234}


@pytest.mark.parametrize("attachment, expected", [
    pytest.param({"type": "location", "latitude": 50.4501, "longitude": 30.5234}, KYIV, id="telegram"),
    pytest.param({"type": "location", "location": {"lat": 50.4501, "lon": 30.5234}}, KYIV, id="viber"),
    pytest.param({"type": "location", "location": {"lat": "50.45\"><b>", "lon": 30.5}}, None, id="not-a-number"),
    pytest.param({"type": "location", "latitude": 95.0, "longitude": 30.5}, None, id="out-of-range"),
    pytest.param({"type": "location", "latitude": True, "longitude": 30.5}, None, id="boolean"),
])
def test_locations_give_their_coordinates(attachment, expected) -> None:
    message = Message(id=1, conversation_id=2, direction="in", author="customer", channel="telegram",
                      kind="location", text="", payload={"attachment": attachment}, delivery_status="received")
    assert message_view(message)["attachments"] == [
        {"kind": "location", "file_id": None, "name": None, "location": expected}]
