"""An agent's reply refused for good by a messenger the shopper has blocked goes to their other messenger.

Replies are queued on the messenger the shopper wrote from last, unless it is known not to take
messages (:func:`core.outbox.queue_outgoing`). A block can also be found only when the delivery fails
(Telegram 403, Viber "not subscribed"): the outbox then marks the identity unsubscribed and gives up on
the message. Such a reply — an agent's, or a hand-off notice — is queued again on the customer's next
messenger that takes messages, so a shopper reachable elsewhere does not lose it. Notifications
have their own failover (:mod:`core.customers.notifications`); the bot's replies answer a message
just written from that very messenger and are not moved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.bus import EventBus
from core.customers.models import NotificationAttempt
from core.database import transaction
from core.models import Conversation, Message
from core.outbox import chat_is_blocked, queue_outgoing, reachable_identities
from handoff.flows import queued_message_events
from handoff.state import Outcome

logger = logging.getLogger(__name__)

REROUTED_AUTHORS = ("agent", "system")
# What a stored reply's payload holds besides what the messenger sends (see handoff.flows.agent_reply).
SENT_KEYS = ("text", "keyboard", "buttons", "html")
META_KEYS = ("agent_name",)


async def reroute(session: AsyncSession, message_id: int) -> Outcome | None:
    """Queue the dead message ``message_id`` again on its customer's next reachable messenger.

    Safe in several processes for the same dead letter: the message row is locked and marked with
    ``payload["rerouted_to"]``, so only the first one queues it. Returns the events to publish after
    commit, or None when the message is not to be moved (not an agent's or system's, a notification,
    not a block, moved already, or no other messenger takes messages).
    """
    message = await session.get(Message, message_id, with_for_update=True)
    if message is None or message.author not in REROUTED_AUTHORS or (message.payload or {}).get("rerouted_to"):
        return None
    if await session.scalar(select(NotificationAttempt.id).where(NotificationAttempt.message_id == message.id)):
        return None
    blocked = await chat_is_blocked(session, message.customer_id, message.channel, message.chat_id)
    if not blocked or not await reachable_identities(session, message.customer_id):
        return None  # another failure (a bad request, an outage) or nowhere else to go: it stays failed
    conversation = await session.get(Conversation, message.conversation_id)
    payload = message.payload or {}
    again = await queue_outgoing(session, conversation, payload={k: payload[k] for k in SENT_KEYS if k in payload},
                                 author=message.author, author_id=message.author_id,
                                 meta={k: payload[k] for k in META_KEYS if k in payload})
    message.payload = {**payload, "rerouted_to": again.id}
    outcome = Outcome()
    queued_message_events(outcome, conversation, again)
    logger.info("message %s refused by a blocked %s chat; queued again on %s as message %s", message.id,
                message.channel, again.channel, again.id)
    return outcome


@dataclass
class ReplyReroute:
    """Subscribe :meth:`on_outbox_dead` to ``core.events.OUTBOX_DEAD``."""

    session_factory: async_sessionmaker[AsyncSession]
    bus: EventBus

    async def on_outbox_dead(self, _topic: str, event: dict) -> None:
        """Move a dead agent's reply or notice to the customer's next messenger, then wake the workers."""
        message_id = event.get("message_id")
        if not isinstance(message_id, int):
            return
        async with transaction(self.session_factory) as session:
            outcome = await reroute(session, message_id)
        for topic, payload in outcome.events if outcome else ():
            await self.bus.publish_or_log(topic, payload)
