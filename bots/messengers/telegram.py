"""Sending outbox payloads to Telegram through aiogram's Bot client, in Telegram's HTML parse mode.

A payload's ``html`` (a knowledge-base answer rendered for Telegram) goes out formatted. Any other
text (system texts, what agents type in the console) is escaped: an agent typing ``<b>`` sends
``<b>``. Should Telegram refuse the HTML ("can't parse entities"), the same message goes out again
as escaped plain text rather than being lost.
"""

from __future__ import annotations

import html
import logging

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
from aiogram.methods.base import Response
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from bots.messenger import PermanentFailure, RetryLater, SendResult
from bots.text_split import utf16_length

logger = logging.getLogger(__name__)

# The Bot API's limit on a message's text after entity parsing, in UTF-16 code units (😀 counts 2).
TELEGRAM_TEXT_LIMIT = 4096
# The Bot API's 400 for HTML it cannot parse: "Bad Request: can't parse entities: Unsupported start tag ...".
UNPARSABLE_HTML = "can't parse entities"
DEFAULT_SHARE_PHONE_LABEL = "📱 Share my phone number"

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None
# aiogram reads every answer of sendMessage as ``Response[Message]``, and pydantic keeps parametrised
# models only weakly: each time the garbage collector freed it, the next send built the model and its
# validator again (about 0.1 s of CPU; 3 ms a message on average under the channels benchmark).
# Holding it keeps it built for the life of the process.
SEND_MESSAGE_RESPONSE = Response[Message]


class TelegramMessenger:
    """Sends text with the reply buttons as an inline keyboard, or a request_contact keyboard."""

    channel = "telegram"
    max_text_length = TELEGRAM_TEXT_LIMIT
    text_length = staticmethod(utf16_length)

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, payload: dict) -> SendResult:
        """Send ``payload["html"]``, or else ``payload["text"]`` escaped; map Bot API errors to retry or give up.

        Raises:
            RetryLater: 429 (with ``retry_after``), 5xx, network errors, a rejected token (an
                operator can fix it while the message waits).
            PermanentFailure: the shopper blocked the bot, the chat does not exist, a bad request.
        """
        try:
            message = await self._send(int(chat_id), payload)
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

    async def _send(self, chat_id: int, payload: dict) -> Message:
        """The formatted message, or the plain text when there is no HTML or Telegram cannot parse it."""
        markup = reply_markup(payload)
        if payload.get("html"):
            try:
                return await self._send_html(chat_id, payload["html"], markup)
            except TelegramBadRequest as exc:
                if UNPARSABLE_HTML not in exc.message.lower():
                    raise
                # Nothing was sent: the shopper still gets the answer, unformatted, and the renderer needs a look.
                logger.warning("Telegram chat %s refused the HTML (%s); sending the plain text", chat_id, exc.message)
        return await self._send_html(chat_id, html.escape(payload.get("text", ""), quote=False), markup)

    async def _send_html(self, chat_id: int, text: str, markup: ReplyMarkup) -> Message:
        return await self.bot.send_message(chat_id=chat_id, text=text, parse_mode="HTML", reply_markup=markup)


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
