"""Long polling: ``getUpdates`` against TELEGRAM_API_URL feeding the same Dispatcher as the webhook.

An update's offset is confirmed only after the flow has stored it, so a crash or a database
outage never skips one (a repeat is harmless: the update id is the dedup key). Flood control
(429) waits ``retry_after``; network errors and 5xx back off exponentially up to a limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram.exceptions import (
    TelegramConflictError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import Update

from bots.telegram.dispatcher import ALLOWED_UPDATES, TelegramChannel

logger = logging.getLogger(__name__)


class PollingError(RuntimeError):
    """Polling cannot go on (the token is rejected)."""


class TelegramPoller:
    """Fetches updates until ``stop`` is set."""

    def __init__(self, channel: TelegramChannel, *, long_poll_seconds: int = 25, max_backoff: float = 30.0) -> None:
        self.channel = channel
        self.long_poll_seconds = long_poll_seconds
        self.max_backoff = max_backoff
        self.offset: int | None = None
        self._delay = 0.5

    async def run(self, stop: asyncio.Event) -> None:
        """Delete the webhook (Telegram refuses getUpdates while one is set), then poll.

        Raises:
            PollingError: the Bot API rejected the token.
        """
        while not stop.is_set() and not (await self._attempt(self._delete_webhook, stop))[0]:
            pass
        logger.info("polling Telegram for updates")
        while not stop.is_set():
            fetched, updates = await self._attempt(lambda: self._fetch(stop), stop)
            for update in updates if fetched else ():
                while not (await self._attempt(lambda u=update: self.channel.feed(u), stop, "handling an update"))[0]:
                    if stop.is_set():
                        return
                self.offset = update.update_id + 1

    async def _delete_webhook(self) -> bool:
        return await self.channel.bot.delete_webhook(drop_pending_updates=False)

    async def _fetch(self, stop: asyncio.Event) -> list[Update]:
        """One long poll, abandoned as soon as ``stop`` is set (so shutting down never waits for it)."""
        fetch = asyncio.ensure_future(self.channel.bot.get_updates(
            offset=self.offset, timeout=self.long_poll_seconds, allowed_updates=ALLOWED_UPDATES,
            request_timeout=self.long_poll_seconds + 10))
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not fetch.done():
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await fetch
            return []
        return fetch.result()

    async def _attempt(self, action, stop: asyncio.Event, what: str = "calling the Bot API") -> tuple[bool, Any]:
        """Run ``action`` → (True, its result); on a temporary failure wait (429: retry_after, else
        backoff) → (False, None)."""
        try:
            result = await action()
        except TelegramUnauthorizedError as exc:
            raise PollingError(f"the Bot API rejected RELAYDESK_TELEGRAM_TOKEN: {exc.message}") from exc
        except TelegramRetryAfter as exc:
            logger.warning("Telegram flood control: waiting %ss", exc.retry_after)
            await self._sleep(stop, float(exc.retry_after))
            return False, None
        except TelegramConflictError as exc:  # a webhook was set meanwhile, or another poller runs
            logger.warning("Telegram reports a conflict (%s); removing the webhook and backing off", exc.message)
            with contextlib.suppress(Exception):
                await self._delete_webhook()
            await self._backoff(stop)
            return False, None
        except (TelegramNetworkError, TelegramServerError) as exc:
            logger.warning("%s failed (%s); retrying in %.1fs", what, exc, self._delay)
            await self._backoff(stop)
            return False, None
        except Exception:
            logger.exception("%s failed; retrying in %.1fs", what, self._delay)
            await self._backoff(stop)
            return False, None
        self._delay = 0.5
        return True, result

    async def _backoff(self, stop: asyncio.Event) -> None:
        await self._sleep(stop, self._delay)
        self._delay = min(self.max_backoff, self._delay * 2)

    @staticmethod
    async def _sleep(stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
