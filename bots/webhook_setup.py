"""``relaydesk webhooks set``: register the Telegram and Viber webhooks at ``PUBLIC_URL``."""

from __future__ import annotations

import httpx
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from viberbot.api.event_type import EventType

from bots.telegram.dispatcher import ALLOWED_UPDATES, build_bot
from core.settings import Settings

TELEGRAM_PATH = "/webhooks/telegram"
VIBER_PATH = "/webhooks/viber"
# Messages always come; these are the optional callbacks the channel acts on.
VIBER_EVENT_TYPES = [EventType.DELIVERED, EventType.SEEN, EventType.FAILED, EventType.SUBSCRIBED,
                     EventType.UNSUBSCRIBED, EventType.CONVERSATION_STARTED]


class WebhookSetupError(RuntimeError):
    """Registration is impossible or was refused; the message says what to fix."""


def check_configuration(settings: Settings) -> None:
    """Fail early, naming the missing settings.

    Raises:
        WebhookSetupError: no PUBLIC_URL, or neither channel configured.
    """
    if not settings.public_url:
        raise WebhookSetupError("RELAYDESK_PUBLIC_URL is not set: it is the https:// address Telegram and Viber "
                                "call (the webhooks are PUBLIC_URL/webhooks/telegram and /webhooks/viber)")
    if not settings.telegram_enabled and not settings.viber_enabled:
        raise WebhookSetupError("no channel to register: set RELAYDESK_TELEGRAM_TOKEN (with "
                                "RELAYDESK_TELEGRAM_WEBHOOK_SECRET) and/or RELAYDESK_VIBER_TOKEN")


async def set_telegram_webhook(settings: Settings) -> str:
    """Telegram's setWebhook with the secret token and the update types the bot handles."""
    url = settings.public_url + TELEGRAM_PATH
    bot = build_bot(settings)
    try:
        await bot.set_webhook(url=url, secret_token=settings.telegram_webhook_secret,
                              allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    except TelegramNetworkError as exc:
        # aiogram words a Bot API it never reached as an API error too; that refused nothing.
        raise WebhookSetupError(f"could not reach the Telegram Bot API at {settings.telegram_api_url}: "
                                f"{exc.message}") from exc
    except TelegramAPIError as exc:
        raise WebhookSetupError(f"Telegram refused the webhook {url}: {exc.message}") from exc
    finally:
        await bot.session.close()
    return f"telegram: webhook set to {url} (updates: {', '.join(ALLOWED_UPDATES)})"


async def set_viber_webhook(settings: Settings) -> str:
    """Viber's set_webhook with the event types the channel acts on.

    Viber calls the URL while registering, so the server must already be running there.
    """
    url = settings.public_url + VIBER_PATH
    body = {"url": url, "event_types": VIBER_EVENT_TYPES, "send_name": True, "send_photo": True}
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(f"{settings.viber_api_url}/set_webhook", json=body,
                                         headers={"X-Viber-Auth-Token": settings.viber_token})
        answer = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise WebhookSetupError(f"could not reach the Viber API at {settings.viber_api_url}: {exc}") from exc
    if response.status_code >= 400 or answer.get("status") != 0:
        raise WebhookSetupError(f"Viber refused the webhook {url}: status {answer.get('status')} "
                                f"{answer.get('status_message', '')}".rstrip())
    return f"viber: webhook set to {url} (events: {', '.join(VIBER_EVENT_TYPES)})"
