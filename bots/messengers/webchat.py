"""Sending outbox payloads to web chat visitors over the bus.

The visitor's socket may be open in any process, so the message is published on the bus and every
process pushes it to that visitor's sockets (see :mod:`bots.webchat.hub`). The message counts as
"sent" once published; it becomes "delivered" when the browser acknowledges it, and a message a
visitor has not acknowledged is pushed again when they reconnect — so nothing is lost while the
visitor is away.

What the widget shows beside the text, the same live and in the history replayed on reconnect:

``html``
    A knowledge-base answer's formatting: the knowledge-base renderer's web output (a few tags,
    article text escaped, see :mod:`knowledge_base.rendering`), only ever set by the answer step.
    Everything else (agents' replies, system texts) has none and the widget shows its ``text`` as text.
``author`` and ``author_name``
    Who wrote it ("bot", "system" or "agent") and the label the visitor reads above it: the agent's
    name as stored with the reply, or :attr:`Settings.webchat_bot_name`; "Agent" / "Bot" in the
    conversation's language when there is none. Plain strings, shown as text.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.messenger import RetryLater, SendResult
from core import events
from core.bus import EventBus
from core.models import Conversation, Message

AGENT_LABEL = {"uk": "Оператор", "ru": "Оператор", "en": "Agent"}
BOT_LABEL = {"uk": "Бот", "ru": "Бот", "en": "Bot"}


def author_name(author: str, payload: dict, language: str | None, bot_name: str | None) -> str:
    """The label above an outgoing message: the agent's name, else the bot's, else a generic one.

    Args:
        author: the message's author ("bot", "system" or "agent").
        payload: the stored message payload (an agent's reply keeps ``agent_name``, see handoff.flows).
        language: the conversation's language, for the generic labels.
        bot_name: ``WEBCHAT_BOT_NAME``.
    """
    if author == "agent":
        return str(payload.get("agent_name") or "") or AGENT_LABEL.get(language or "", AGENT_LABEL["en"])
    return bot_name or BOT_LABEL.get(language or "", BOT_LABEL["en"])


class WebchatMessenger:
    """Publishes each message for the visitor's sockets, wherever they are connected.

    Messages are never cut into parts: the widget shows any length, the history replays the stored
    message whole, and parts would share one message id (the widget shows an id once).
    """

    channel = "webchat"
    max_text_length = None

    def __init__(self, bus: EventBus, session_factory: async_sessionmaker[AsyncSession], *,
                 bot_name: str | None = None, default_language: str = "uk") -> None:
        self.bus = bus
        self.session_factory = session_factory
        self.bot_name = bot_name
        self.default_language = default_language

    async def send(self, chat_id: str, payload: dict) -> SendResult:
        """Publish the message with its author's label; a bus or database failure is retried later.

        ``payload["message_id"]`` (added by the delivery worker) lets the browser acknowledge it and
        names the stored message the author is read from.
        """
        try:
            author, label = await self._author(payload.get("message_id"))
        except Exception as exc:
            raise RetryLater(f"reading the message's author failed: {exc}") from exc
        event = {"visitor": chat_id, "message_id": payload.get("message_id"), "text": payload.get("text", ""),
                 "buttons": payload.get("buttons") or [], "author": author, "author_name": label}
        if payload.get("html"):
            event["html"] = payload["html"]
        try:
            await self.bus.publish(events.WEBCHAT_DELIVER, event)
        except Exception as exc:
            raise RetryLater(f"bus unavailable: {exc}") from exc
        return SendResult([f"webchat-{payload.get('message_id')}"])

    async def _author(self, message_id: int | None) -> tuple[str, str]:
        row = None
        if message_id is not None:
            async with self.session_factory() as session:
                row = (await session.execute(
                    select(Message.author, Message.payload, Conversation.language)
                    .join(Conversation, Conversation.id == Message.conversation_id)
                    .where(Message.id == message_id))).first()
        author, payload, language = row if row is not None else ("bot", {}, None)
        return author, author_name(author, payload or {}, language or self.default_language, self.bot_name)
