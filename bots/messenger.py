"""The ``Messenger`` protocol every channel's sender implements, its errors, and a recording fake.

The outbox worker only knows this protocol; the Telegram, Viber and web chat senders sit behind it
(like httpx's transports), so delivery logic is tested once for all channels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class DeliveryError(Exception):
    """Sending failed."""


class RetryLater(DeliveryError):
    """A temporary failure (network, 5xx, rate limit); ``retry_after`` seconds when the channel said so."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(DeliveryError):
    """The message can never be delivered (blocked bot, unsubscribed user, invalid chat).

    ``unsubscribed`` says the shopper blocked the bot or unsubscribed: their identity is marked so.
    """

    def __init__(self, message: str, *, unsubscribed: bool = False) -> None:
        super().__init__(message)
        self.unsubscribed = unsubscribed


@dataclass(frozen=True)
class SendResult:
    """The channel's ids of the sent message parts (a long text may go out in several parts)."""

    channel_message_ids: list[str] = field(default_factory=list)


class Messenger(Protocol):
    """Sends one outbox payload (``{"text", "keyboard", "buttons"}``) to one chat of one channel.

    A payload may also carry ``html``: the same message formatted, for channels that can show it.
    The delivery worker passes ``html`` only with a whole message that fits ``max_text_length`` as
    the channel's ``text_length`` counts (characters unless it says otherwise; see
    :func:`bots.text_split.message_parts`), so a channel may send it instead of ``text``.

    A channel whose platform calls back with delivery receipts says so with ``sends_receipts = True``:
    only then does recording a send keep each part's id for them (:func:`bots.outbox_store.mark_sent`).
    """

    channel: str

    async def send(self, chat_id: str, payload: dict) -> SendResult:
        """Send, or raise :class:`RetryLater` / :class:`PermanentFailure`."""
        ...


class RecordingMessenger:
    """A fake channel that records what it was asked to send; tests script failures into it."""

    def __init__(self, channel: str = "fake", *, sends_receipts: bool = False) -> None:
        self.channel = channel
        self.sends_receipts = sends_receipts
        self.sent: list[tuple[str, dict]] = []
        self.failures: list[DeliveryError] = []  # raised, one per call, before anything succeeds

    async def send(self, chat_id: str, payload: dict) -> SendResult:
        """Record the payload, or raise the next scripted failure."""
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((chat_id, payload))
        return SendResult([f"{self.channel}-{len(self.sent)}"])
