"""The channels' app component: the inbound flow, the channel adapters, the messengers, the worker.

Entered LAST among the app components (web/app.py puts it there) because the flow hands the
steps ``services.extras`` as filled by the other packages' components (NLU, knowledge-base index,
hand-off). It adds:

``extras["flow"]``        the :class:`bots.flow.InboundFlow` every channel feeds
``extras["messengers"]``  ``{channel: Messenger}`` for every configured channel (web chat always)
``extras["telegram"]``    the :class:`bots.telegram.dispatcher.TelegramChannel` (when configured)
``extras["viber"]``       the :class:`bots.viber.events.ViberEvents` (when configured)
``extras["webchat"]``     the :class:`bots.webchat.hub.WebchatHub`
``extras["delivery"]``    the running :class:`bots.outbox.DeliveryWorker` (when ``RUN_WORKERS``)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.flow import InboundFlow, Step
from bots.messengers.telegram import TelegramMessenger
from bots.messengers.viber import ViberMessenger
from bots.messengers.webchat import WebchatMessenger
from bots.outbox import DeliveryPolicy, DeliveryWorker
from bots.steps import default_steps, rescue_steps
from bots.telegram.dispatcher import TelegramChannel
from bots.viber.events import ViberEvents
from bots.webchat.hub import WebchatHub
from core.bus import EventBus
from core.settings import Settings


class RuntimeServices(Protocol):
    """What the component needs of the app's services (``web.services.AppServices``)."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    bus: EventBus
    extras: dict[str, Any]


@asynccontextmanager
async def channels_component(services: RuntimeServices, *, steps: Sequence[Step] | None = None
                             ) -> AsyncIterator[None]:
    """Build the channels for ``services.settings`` and run the delivery worker while the app runs.

    Args:
        steps: the inbound flow's steps; :func:`bots.steps.default_steps` when None.
    """
    settings = services.settings
    extras = services.extras
    policy = DeliveryPolicy.from_settings(settings)
    flow = InboundFlow(settings=settings, session_factory=services.session_factory, bus=services.bus,
                       steps=list(steps) if steps is not None else default_steps(), rescue_steps=rescue_steps(),
                       services=extras)
    extras["flow"] = flow
    async with AsyncExitStack() as stack:
        hub = WebchatHub(flow)
        hub.start()
        stack.callback(hub.stop)
        extras["webchat"] = hub
        messengers: dict[str, Any] = {"webchat": WebchatMessenger(
            services.bus, services.session_factory, bot_name=settings.webchat_bot_name,
            default_language=settings.default_language)}
        if settings.telegram_enabled:
            telegram = TelegramChannel(settings, flow, send_timeout=policy.send_timeout)
            stack.push_async_callback(telegram.close)
            extras["telegram"] = telegram
            messengers["telegram"] = TelegramMessenger(telegram.bot)
        if settings.viber_enabled:
            client = httpx.AsyncClient(timeout=policy.send_timeout)
            stack.push_async_callback(client.aclose)
            viber = ViberMessenger(client, api_url=settings.viber_api_url, token=settings.viber_token,
                                   sender_name=settings.viber_bot_name, sender_avatar=settings.viber_bot_avatar)
            messengers["viber"] = viber
            extras["viber"] = ViberEvents(flow, sender=viber.sender, default_language=settings.default_language)
        extras["messengers"] = messengers
        if settings.run_workers:
            worker = DeliveryWorker(session_factory=services.session_factory, bus=services.bus,
                                    messengers=messengers, policy=policy, skip_locked=not settings.is_sqlite)
            await worker.start()
            stack.push_async_callback(worker.stop)  # stops first: sends finish before clients close
            extras["delivery"] = worker
        yield
