"""Viber keyboards for reply buttons and the share-phone request, and the tracking data that lets
the bot recognise what the shopper answered with.

Viber sends a pressed "reply" button back as an ordinary text message carrying the button's
``ActionBody``, and echoes the ``tracking_data`` of the bot's last message on the shopper's next
one. So the bot's message records which labels map to which callback data, and whether it asked
for the phone: a text equal to a recorded label is a button press, and a contact sent in answer to
the share-phone request is the shopper's own number (Viber's share-phone button only ever shares
the user's own).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

TRACKING_KEY = "relaydesk"
TRACKING_LIMIT = 4096  # Viber's maximum tracking_data length
DEFAULT_SHARE_PHONE_LABEL = "📱 Share my phone number"
SHARE_PHONE_MIN_API_VERSION = 3


@dataclass(frozen=True)
class Tracking:
    """What the bot's last message asked for: button labels → data, and the phone request."""

    buttons: dict[str, str] = field(default_factory=dict)
    share_phone: bool = False

    def encode(self) -> str | None:
        """The ``tracking_data`` string, or None when there is nothing to track."""
        if not self.buttons and not self.share_phone:
            return None
        value = json.dumps({TRACKING_KEY: {"buttons": self.buttons, "share_phone": self.share_phone}},
                           ensure_ascii=False)
        return value if len(value) <= TRACKING_LIMIT else json.dumps(
            {TRACKING_KEY: {"buttons": {}, "share_phone": self.share_phone}})

    @classmethod
    def decode(cls, value: str | None) -> Tracking:
        """Read tracking data back; anything not written by Relaydesk reads as empty."""
        try:
            data = json.loads(value or "")[TRACKING_KEY]
            return cls(buttons=dict(data.get("buttons") or {}), share_phone=bool(data.get("share_phone")))
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls()


def keyboard_for(payload: dict) -> tuple[dict | None, Tracking]:
    """The Viber keyboard object for a payload's ``keyboard`` / ``buttons`` and its tracking data."""
    rows = payload.get("buttons") or []
    if payload.get("keyboard") == "contact":
        label = rows[0][0]["text"] if rows and rows[0] else DEFAULT_SHARE_PHONE_LABEL
        button = {"Columns": 6, "Rows": 1, "ActionType": "share-phone", "ActionBody": "share-phone", "Text": label}
        return {"Type": "keyboard", "DefaultHeight": False, "Buttons": [button]}, Tracking(share_phone=True)
    if not rows:
        return None, Tracking()
    buttons = []
    labels: dict[str, str] = {}
    for row in rows:
        columns = max(1, 6 // max(1, len(row)))
        for item in row:
            # The label is what the shopper sees posted in the chat when pressing the button.
            buttons.append({"Columns": columns, "Rows": 1, "ActionType": "reply", "ActionBody": item["text"],
                            "Text": item["text"]})
            labels[item["text"]] = item["data"]
    return {"Type": "keyboard", "DefaultHeight": False, "Buttons": buttons}, Tracking(buttons=labels)
