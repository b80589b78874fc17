"""Telegram Update payloads shaped like the examples of Telegram's webhook testing page
(core.telegram.org/bots/webhooks#testing-your-bot-with-updates).

The page's examples predate some required fields, so these builders add what today's Bot API
always sends (``chat.type``, ``from.is_bot``, ``callback_query.chat_instance``); every payload
validates in aiogram's ``Update`` model (tests/unit/bots/test_payloads.py checks that).
"""

from __future__ import annotations

import itertools
from typing import Any

USER_ID = 1111111
DATE = 1441645532
_update_ids = itertools.count(10000)
_message_ids = itertools.count(1365)


def next_update_id() -> int:
    """A fresh update id."""
    return next(_update_ids)


def sender(user_id: int = USER_ID, language_code: str | None = "en", first_name: str = "Test") -> dict[str, Any]:
    """The ``from`` object of the examples."""
    body: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name,
                            "last_name": "Test Lastname", "username": "Test"}
    if language_code:
        body["language_code"] = language_code
    return body


def chat(user_id: int = USER_ID) -> dict[str, Any]:
    """A private chat with the user."""
    return {"id": user_id, "type": "private", "first_name": "Test", "last_name": "Test Lastname", "username": "Test"}


def message(user_id: int = USER_ID, *, language_code: str | None = "en", **content: Any) -> dict[str, Any]:
    """A Message from ``user_id`` with ``content`` (text=..., photo=[...], contact={...}, ...)."""
    return {"message_id": next(_message_ids), "date": DATE, "chat": chat(user_id),
            "from": sender(user_id, language_code), **content}


def update(kind: str, body: dict[str, Any], update_id: int | None = None) -> dict[str, Any]:
    """An Update carrying ``body`` under ``kind`` ("message", "edited_message", "callback_query", ...)."""
    return {"update_id": update_id if update_id is not None else next_update_id(), kind: body}


def text_update(text: str, user_id: int = USER_ID, *, update_id: int | None = None,
                language_code: str | None = "en") -> dict[str, Any]:
    """"Message with text" from the testing page."""
    return update("message", message(user_id, language_code=language_code, text=text), update_id)


def start_update(payload: str | None = None, user_id: int = USER_ID, *, update_id: int | None = None,
                 language_code: str | None = "en") -> dict[str, Any]:
    """``/start`` (with a deep-link payload when given), with the ``bot_command`` entity clients send."""
    text = "/start" + (f" {payload}" if payload else "")
    body = message(user_id, language_code=language_code, text=text,
                   entities=[{"type": "bot_command", "offset": 0, "length": 6}])
    return update("message", body, update_id)


def contact_update(phone: str, *, contact_user_id: int | None = USER_ID, user_id: int = USER_ID,
                   update_id: int | None = None) -> dict[str, Any]:
    """A shared contact; ``contact_user_id == user_id`` is what the request_contact button sends."""
    contact: dict[str, Any] = {"phone_number": phone, "first_name": "Test", "last_name": "Test Lastname"}
    if contact_user_id is not None:
        contact["user_id"] = contact_user_id
    return update("message", message(user_id, contact=contact), update_id)


def bot_message(sent: dict[str, Any]) -> dict[str, Any]:
    """The bot's Message as Telegram embeds it in a callback query, from the sendMessage parameters the
    double recorded (``TelegramDouble.sent``): its id, chat, text and inline keyboard."""
    body = {"message_id": sent["message_id"], "date": DATE, "chat": chat(int(sent["chat_id"])),
            "text": sent.get("text", ""), "from": {"id": 123456, "is_bot": True, "first_name": "Relaydesk Demo"}}
    if sent.get("reply_markup"):
        body["reply_markup"] = sent["reply_markup"]
    return body


def callback_update(data: str, user_id: int = USER_ID, *, update_id: int | None = None,
                    message: dict[str, Any] | None = None, query_id: str = "4382bfdwdsb323b2d9") -> dict[str, Any]:
    """"Callback query" from the testing page, pressed under ``message`` (see :func:`bot_message`;
    a stand-in message of the bot when omitted)."""
    if message is None:
        message = {"message_id": 1364, "date": DATE, "chat": chat(user_id), "text": "Choose",
                   "from": {"id": 123456, "is_bot": True, "first_name": "Relaydesk Demo"}}
    body = {"id": query_id, "from": sender(user_id), "chat_instance": "-1234567890", "data": data,
            "message": message}
    return update("callback_query", body, update_id)


def edited_update(text: str, user_id: int = USER_ID, *, update_id: int | None = None) -> dict[str, Any]:
    """"Edited message" from the testing page."""
    body = message(user_id, text=text, edit_date=DATE + 60)
    return update("edited_message", body, update_id)


def photo_update(user_id: int = USER_ID, caption: str | None = None, *, update_id: int | None = None) -> dict:
    """A photo (two sizes, as clients upload them)."""
    sizes = [{"file_id": "AgADBAADbqcxG-small", "file_unique_id": "AQADbqc-s", "width": 90, "height": 67,
              "file_size": 1234},
             {"file_id": "AgADBAADbqcxG-large", "file_unique_id": "AQADbqc-l", "width": 800, "height": 600,
              "file_size": 45678}]
    content: dict[str, Any] = {"photo": sizes}
    if caption:
        content["caption"] = caption
    return update("message", message(user_id, **content), update_id)


def document_update(user_id: int = USER_ID, *, update_id: int | None = None) -> dict[str, Any]:
    """A document (file)."""
    document = {"file_id": "BQADBAADdocument", "file_unique_id": "AgADdoc", "file_name": "invoice.pdf",
                "mime_type": "application/pdf", "file_size": 20480}
    return update("message", message(user_id, document=document), update_id)


def voice_update(user_id: int = USER_ID, *, update_id: int | None = None) -> dict[str, Any]:
    """A voice note."""
    voice = {"file_id": "AwADBAADvoice", "file_unique_id": "AgADvoice", "duration": 3,
             "mime_type": "audio/ogg", "file_size": 5120}
    return update("message", message(user_id, voice=voice), update_id)


def sticker_update(user_id: int = USER_ID, *, update_id: int | None = None) -> dict[str, Any]:
    """A sticker."""
    sticker = {"file_id": "CAADAgADsticker", "file_unique_id": "AgADsticker", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}
    return update("message", message(user_id, sticker=sticker), update_id)


def video_update(user_id: int = USER_ID, *, update_id: int | None = None) -> dict[str, Any]:
    """A video."""
    video = {"file_id": "BAADBAADvideo", "file_unique_id": "AgADvideo", "width": 640, "height": 360, "duration": 5}
    return update("message", message(user_id, video=video), update_id)


def location_update(user_id: int = USER_ID, *, update_id: int | None = None) -> dict[str, Any]:
    """A shared location."""
    return update("message", message(user_id, location={"latitude": 50.4501, "longitude": 30.5234}), update_id)


def dice_update(user_id: int = USER_ID, *, update_id: int | None = None) -> dict[str, Any]:
    """A message type the bot has no handler for (a dice roll)."""
    return update("message", message(user_id, dice={"emoji": "🎲", "value": 4}), update_id)


def chat_member_update(status: str, user_id: int = USER_ID, *, update_id: int | None = None) -> dict[str, Any]:
    """``my_chat_member``: the user blocked ("kicked") or restarted ("member") the bot."""
    bot = {"id": 123456, "is_bot": True, "first_name": "Relaydesk Demo", "username": "relaydesk_demo_bot"}
    old, new = ("member", "kicked") if status == "kicked" else ("kicked", status)

    def member(value: str) -> dict[str, Any]:
        return {"status": value, "user": bot, **({"until_date": 0} if value == "kicked" else {})}

    body = {"chat": chat(user_id), "from": sender(user_id), "date": DATE, "old_chat_member": member(old),
            "new_chat_member": member(new)}
    return update("my_chat_member", body, update_id)
