"""Sending outbox payloads to Telegram through aiogram's Bot client."""

from __future__ import annotations

import html

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bots.messenger import PermanentFailure, RetryLater, SendResult

TELEGRAM_TEXT_LIMIT = 4096
DEFAULT_SHARE_PHONE_LABEL = "📱 Share my phone number"

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None


class TelegramMessenger:
    """Sends text with the reply buttons as an inline keyboard, or a request_contact keyboard."""

    channel = "telegram"
    max_text_length = TELEGRAM_TEXT_LIMIT

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, payload: dict) -> SendResult:
        """Send ``payload["text"]`` as escaped HTML; map Bot API errors to retry or give up.

        Raises:
            RetryLater: 429 (with ``retry_after``), 5xx, network errors, a rejected token (an
                operator can fix it while the message waits).
            PermanentFailure: the shopper blocked the bot, the chat does not exist, a bad request.
        """
        try:
            message = await self.bot.send_message(
                chat_id=int(chat_id), text=html.escape(payload.get("text", ""), quote=False),
                parse_mode="HTML", reply_markup=reply_markup(payload),
            )
        except TelegramRetryAfter as exc:
            raise RetryLater(exc.message, retry_after=float(exc.retry_after)) from exc
        except (TelegramServerError, TelegramNetworkError, TelegramUnauthorizedError) as exc:
            raise RetryLater(f"{type(exc).__name__}: {exc.message}") from exc
        except TelegramForbiddenError as exc:  # blocked by the user (or a deleted account)
            raise PermanentFailure(f"{type(exc).__name__}: {exc.message}", unsubscribed=True) from exc
        except (TelegramNotFound, TelegramBadRequest) as exc:
            raise PermanentFailure(f"{type(exc).__name__}: {exc.message}") from exc
        except TelegramAPIError as exc:  # any other API answer: worth another try
            raise RetryLater(f"{type(exc).__name__}: {exc.message}") from exc
        return SendResult([str(message.message_id)])


def reply_markup(payload: dict) -> ReplyMarkup:
    """The Telegram keyboard for a payload's ``keyboard`` and ``buttons``.

    ``keyboard == "contact"`` asks for the shopper's phone with a one-time request_contact button
    labelled by the first button's text; other buttons become an inline keyboard whose presses
    come back as callback queries carrying the button's ``data``.
    """
    rows = payload.get("buttons") or []
    if payload.get("keyboard") == "contact":
        label = rows[0][0]["text"] if rows and rows[0] else DEFAULT_SHARE_PHONE_LABEL
        return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=label, request_contact=True)]],
                                   resize_keyboard=True, one_time_keyboard=True)
    if rows:
        return InlineKeyboardMarkup(inline_keyboard=[
            [InlineKeyboardButton(text=button["text"], callback_data=button["data"]) for button in row]
            for row in rows
        ])
    return None
