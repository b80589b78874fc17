"""Photos, documents, voice notes, stickers, videos, locations: stored with their file ids.

The bot cannot read them; the flow's media step tells the shopper so politely, and agents see
the attachment in the timeline.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.types import Message, Update

from bots.flow import InboundFlow
from bots.telegram.convert import from_message

# "animation" before "document": a GIF arrives with both set.
FILE_KINDS = ("animation", "document", "voice", "sticker", "video", "audio", "video_note")
FILE_FIELDS = ("file_id", "file_unique_id", "file_name", "mime_type", "file_size", "duration", "emoji")


def attachment(message: Message) -> tuple[str, dict[str, Any]]:
    """The message's kind and what the timeline keeps of its attachment."""
    if message.photo:
        largest = message.photo[-1]  # Telegram lists the sizes smallest first
        return "photo", {"type": "photo", "file_id": largest.file_id, "file_unique_id": largest.file_unique_id,
                         "width": largest.width, "height": largest.height}
    if message.location:
        return "location", {"type": "location", "latitude": message.location.latitude,
                            "longitude": message.location.longitude}
    for kind in FILE_KINDS:
        item = getattr(message, kind)
        if item is not None:
            data = {"type": kind}
            data.update({name: getattr(item, name) for name in FILE_FIELDS if getattr(item, name, None) is not None})
            return kind, data
    raise ValueError("message has no attachment")


async def media(message: Message, flow: InboundFlow, event_update: Update) -> None:
    """Store the attachment (caption as text) under ``payload["attachment"]``."""
    kind, data = attachment(message)
    await flow.process(from_message(message, event_update, kind=kind, text=message.caption or "",
                                    payload={"attachment": data}))


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only, and each app builds its own)."""
    router = Router(name="media")
    router.message.register(media, F.photo | F.location | F.document | F.voice | F.sticker | F.video | F.audio
                            | F.video_note | F.animation)
    return router
