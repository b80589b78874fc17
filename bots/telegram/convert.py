"""Turning aiogram objects into :class:`bots.inbound.InboundMessage`s."""

from __future__ import annotations

from typing import Any

from aiogram.types import Message, Update, User

from bots.inbound import InboundMessage
from bots.normalize import language_hint

CHANNEL = "telegram"


def full_name(user: User) -> str:
    """The user's first and last name."""
    return " ".join(part for part in (user.first_name, user.last_name) if part)


def from_message(message: Message, update: Update, *, kind: str, text: str = "",
                 payload: dict[str, Any] | None = None, phone: str | None = None) -> InboundMessage:
    """The inbound message for ``message`` (its sender, chat, date), deduplicated by the update id."""
    return from_user(message.from_user, chat_id=message.chat.id, update=update, kind=kind, text=text,
                     payload={"message_id": message.message_id, **(payload or {})}, phone=phone,
                     sent_at=message.date)


def from_user(user: User, *, chat_id: int, update: Update, kind: str, text: str = "",
              payload: dict[str, Any] | None = None, phone: str | None = None, sent_at=None) -> InboundMessage:
    """The inbound message from ``user`` in ``chat_id`` (for updates that are not messages too)."""
    return InboundMessage(
        channel=CHANNEL, user_id=str(user.id), chat_id=str(chat_id), dedup_key=str(update.update_id),
        kind=kind, text=text or "", payload=payload or {}, display_name=full_name(user) or None,
        username=user.username, phone=phone, language_hint=language_hint(user.language_code), sent_at=sent_at,
    )
