"""The Telegram Dispatcher and Bot client of one running app."""

from __future__ import annotations

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatType
from aiogram.types import Update

from bots.flow import InboundFlow
from bots.telegram.handlers import callbacks, contact, edited, fallback, media, membership, start, text
from bots.telegram.strict_integers import check_integers
from core.settings import Settings

# What the bot handles; setWebhook and getUpdates ask Telegram for exactly these.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


def build_bot(settings: Settings, *, timeout: float = 30.0) -> Bot:
    """The Bot API client for ``TELEGRAM_TOKEN`` at ``TELEGRAM_API_URL`` (a local server or a double)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url), timeout=timeout)
    return Bot(settings.telegram_token, session=session)


def build_dispatcher(flow: InboundFlow) -> Dispatcher:
    """Routers joined in order of specificity, the catch-all last; handlers get ``flow`` by name.

    Only private chats with a real sender are served: the bot talks to shoppers one to one, and
    group or channel traffic must not create customers.
    """
    dispatcher = Dispatcher(flow=flow)
    dispatcher.message.filter(F.chat.type == ChatType.PRIVATE, F.from_user)
    dispatcher.edited_message.filter(F.chat.type == ChatType.PRIVATE, F.from_user)
    modules = (start, contact, callbacks, edited, membership, media, text, fallback)  # fallback: the catch-all, last
    dispatcher.include_routers(*(module.create_router() for module in modules))
    return dispatcher


class TelegramChannel:
    """The Bot client and the Dispatcher, fed by the webhook route or the poller."""

    def __init__(self, settings: Settings, flow: InboundFlow, *, send_timeout: float = 30.0) -> None:
        self.bot = build_bot(settings, timeout=send_timeout)
        self.dispatcher = build_dispatcher(flow)

    def parse(self, payload: dict) -> Update:
        """Validate an Update, its integers strictly, bound to the bot for replies.

        Raises:
            pydantic.ValidationError: not an Update, or an integer Telegram would not send
                (see :mod:`bots.telegram.strict_integers`).
        """
        update = Update.model_validate(payload, context={"bot": self.bot})
        check_integers(update, payload)
        return update

    async def feed(self, update: Update) -> None:
        """Run the update through the routers; returns once the flow has stored it."""
        await self.dispatcher.feed_update(self.bot, update)

    async def close(self) -> None:
        """Close the HTTP session."""
        await self.bot.session.close()
