"""Settings and helpers for tests that run the channels against the API doubles.

    with TelegramDouble() as telegram, ViberDouble() as viber:
        settings = channel_settings(backend, telegram=telegram, viber=viber)
        async with AsyncTestClient(app=create_app(settings)) as client:
            await client.post(TELEGRAM_WEBHOOK, json=text_update("hi"), headers=telegram_headers(settings))
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from core.settings import Settings
from tests.conftest import make_settings
from tests.support.backends import Backend
from tests.support.telegram_double import TelegramDouble
from tests.support.viber_double import ViberDouble

TELEGRAM_WEBHOOK = "/webhooks/telegram"
VIBER_WEBHOOK = "/webhooks/viber"
WEBHOOK_SECRET = "test-webhook-secret_1"


def channel_settings(backend: Backend, *, telegram: TelegramDouble | None = None, viber: ViberDouble | None = None,
                     **overrides: object) -> Settings:
    """Test settings with Telegram and/or Viber pointed at the doubles and the delivery worker on."""
    values: dict = {"run_workers": True}
    if telegram is not None:
        values.update(telegram_token=telegram.token, telegram_api_url=telegram.url,
                      telegram_webhook_secret=WEBHOOK_SECRET)
    if viber is not None:
        values.update(viber_token=viber.token, viber_api_url=viber.api_url, viber_bot_name="Relaydesk Demo")
    values.update(overrides)
    return make_settings(backend, **values)


async def echo_text(ctx) -> None:
    """Stands in for the knowledge base in delivery tests: exactly one predictable reply per text or start."""
    if ctx.inbound.kind in ("text", "start"):
        ctx.reply(f"echo: {ctx.inbound.text}")


def delivery_test_steps() -> list:
    """The flow for channel and delivery tests: the channel-facing steps plus :func:`echo_text`.

    Delivery is what these tests check; the NLU, hand-off and linking steps have tests of their own,
    and their replies (fallbacks, hand-offs after repeated misses) would make reply counts arbitrary.
    """
    from bots.steps.media import explain_unreadable_media

    return [explain_unreadable_media, echo_text]


@contextlib.asynccontextmanager
async def telegram_delivery(settings: Settings, session_factory, telegram: TelegramDouble, *,
                            policy=None, others: dict | None = None) -> AsyncIterator[None]:
    """A delivery worker sending the outbox through the Telegram messenger to ``telegram``, stopped on leaving.

    ``settings`` gives the backend (claims skip locked rows on PostgreSQL); ``policy`` defaults to
    short backoffs and a fast poll, since nothing publishes OUTBOX_READY to wake the worker;
    ``others`` adds messengers of other channels (by channel name) to the same worker.
    """
    from bots.messengers.telegram import TelegramMessenger
    from bots.outbox import DeliveryPolicy, DeliveryWorker
    from bots.telegram.dispatcher import build_bot
    from core.bus import MemoryEventBus

    bot = build_bot(Settings(_env_file=None, telegram_token=telegram.token, telegram_api_url=telegram.url), timeout=5)
    worker = DeliveryWorker(session_factory=session_factory, bus=MemoryEventBus(),
                            messengers={"telegram": TelegramMessenger(bot), **(others or {})},
                            skip_locked=not settings.is_sqlite,
                            policy=policy or DeliveryPolicy(backoff_base=0.02, backoff_max=0.1, poll_interval=0.05))
    await worker.start()
    try:
        yield
    finally:
        await worker.stop()
        await bot.session.close()


def telegram_headers(settings: Settings) -> dict[str, str]:
    """The headers Telegram sends with each update."""
    return {"X-Telegram-Bot-Api-Secret-Token": settings.telegram_webhook_secret or ""}


async def post_telegram(client, settings: Settings, update: dict):
    """POST a Telegram Update to the webhook with the secret header Telegram sends; the response."""
    return await client.post(TELEGRAM_WEBHOOK, json=update, headers=telegram_headers(settings))


async def post_viber(client, settings: Settings, body: dict | bytes, token: str | None = None):
    """POST a Viber callback (a dict, or raw bytes as sent) signed with ``token`` (the bot's by default)."""
    from tests.support import viber_payloads

    raw = viber_payloads.encode(body) if isinstance(body, dict) else body
    return await client.post(VIBER_WEBHOOK, content=raw,
                             headers=viber_payloads.signed_headers(raw, token or settings.viber_token))


async def eventually(check: Callable[[], Awaitable[bool]] | Callable[[], bool], within: float = 10.0) -> None:
    """Poll ``check`` (sync or async) until it is true; fail after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition still false after {within}s")
        await asyncio.sleep(0.02)


async def stored_messages(session_factory, direction: str | None = None) -> list:
    """Every stored Message (only ``direction`` "in"/"out" when given), oldest first."""
    from sqlalchemy import select

    from core.models import Message

    async with session_factory() as session:
        query = select(Message).order_by(Message.id)
        if direction:
            query = query.where(Message.direction == direction)
        return list((await session.scalars(query)).all())
