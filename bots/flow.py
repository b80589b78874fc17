"""The inbound flow, the same for every channel.

One database transaction per shopper update: dedup, resolve the customer, identity and
conversation, store the message, run the flow steps, write the replies to the outbox. The
transaction commits before the webhook answers, so an accepted message is never lost, and the
replies are delivered from the outbox even if the process dies right after.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.inbound import FlowContext, InboundMessage, Reply
from bots.steps.csat import belongs_to_rating
from core import events
from core.bus import EventBus
from core.database import is_transient, utcnow
from core.models import Conversation, Customer, Identity, Message
from core.outbox import queue_outgoing
from core.settings import Settings

logger = logging.getLogger(__name__)

Step = Callable[[FlowContext], Awaitable[None]]
# Runs of the flow for one update when concurrent requests keep winning the race to insert first; each
# lost race means another request committed, so a few runs always settle it in practice.
_ATTEMPTS = 3
NAME_CHARS = 255  # customers.name, identities.display_name and identities.username
HELD_STATUSES = ("queued", "assigned")  # a person holds the conversation


@dataclass
class FlowResult:
    """What happened to one inbound update."""

    duplicate: bool
    message_id: int | None = None
    conversation_id: int | None = None
    reply_message_ids: list[int] = field(default_factory=list)
    language: str | None = None  # the conversation's, once the flow has settled it


@dataclass
class InboundFlow:
    """Processes inbound messages through ``steps`` (see :mod:`bots.steps`)."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    bus: EventBus
    steps: Sequence[Step]
    # Run instead of ``steps`` when they fail on a message, so the shopper still hears back (a person
    # takes over); when these fail too, the message is stored without replies.
    rescue_steps: Sequence[Step] = ()
    services: dict[str, Any] = field(default_factory=dict)

    async def process(self, inbound: InboundMessage) -> FlowResult:
        """Store ``inbound`` once and queue the replies; a repeated ``dedup_key`` is ignored.

        Raises:
            Exception: whatever storing the message raised (nothing was stored; see the module).
        """
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                result, ctx = await self._store_and_run_steps(inbound)
                break
            except IntegrityError:
                # A concurrent request got in between our reads and our inserts: it stored this very
                # update, or it created this new shopper's identity (or customer) for another of their
                # messages. Nothing of ours was kept, so run again: the dedup check then tells a true
                # duplicate, and a new shopper's second message finds the identity the first created.
                # Taking every such error for a duplicate answered a shopper's photo album with one photo.
                if attempt == _ATTEMPTS:
                    raise  # nothing stored: the channel's retry brings the update back
                logger.info("concurrent insert for %s/%s; running the flow again", inbound.channel,
                            inbound.dedup_key)
        if ctx is not None:
            try:
                await self._publish(ctx, result)
            except Exception:
                # The update is stored and its replies queued: an error answer now would only make the
                # channel send it again, as a duplicate. (A bus that is down is no error here: the events
                # still reach this process; the others catch up when they resubscribe.)
                logger.warning("publishing the events of %s/%s failed", inbound.channel, inbound.dedup_key,
                               exc_info=True)
        return result

    async def _store_and_run_steps(self, inbound: InboundMessage) -> tuple[FlowResult, FlowContext | None]:
        try:
            return await self._process_once(inbound, self.steps)
        except IntegrityError:
            raise
        except Exception as failure:
            if is_transient(failure):
                # The database went away or stayed locked: the channel's retry (a 500, a resent web chat
                # frame) will run the whole flow again once it is back and the shopper gets their answer.
                raise
            # When storing fails too, that error propagates chained to this one and is logged once, by
            # the caller; the log names the update, never its text (core.database hides SQL parameters).
            rescued = await self._rescue(inbound)
            stored = rescued or await self._process_once(inbound, ())
            outcome = "handed to a person" if rescued else "stored without replies"
            logger.error("the flow failed on %s/%s; the message is %s", inbound.channel, inbound.dedup_key,
                         outcome, exc_info=failure)
            return stored

    async def _rescue(self, inbound: InboundMessage) -> tuple[FlowResult, FlowContext | None] | None:
        """Store ``inbound`` and run the rescue steps; None when there are none or they failed too."""
        if not self.rescue_steps:
            return None
        try:
            return await self._process_once(inbound, self.rescue_steps)
        except IntegrityError:
            raise
        except Exception:
            logger.warning("the rescue steps failed on %s/%s too", inbound.channel, inbound.dedup_key,
                           exc_info=True)
            return None

    async def _process_once(self, inbound: InboundMessage,
                            steps: Sequence[Step]) -> tuple[FlowResult, FlowContext | None]:
        async with self.session_factory() as session, session.begin():
            if inbound.dedup_key and await session.scalar(
                select(Message.id).where(Message.channel == inbound.channel, Message.dedup_key == inbound.dedup_key)
            ):
                return FlowResult(duplicate=True), None
            identity = await resolve_identity(session, inbound)
            customer = await session.get(Customer, identity.customer_id)
            conversation = await current_conversation(session, customer.id, inbound)
            message = Message(
                conversation_id=conversation.id, customer_id=customer.id, direction="in", author="customer",
                channel=inbound.channel, chat_id=inbound.chat_id, kind=inbound.kind, text=inbound.text,
                payload=inbound.payload, dedup_key=inbound.dedup_key, delivery_status="received",
            )
            session.add(message)
            await session.flush()
            ctx = FlowContext(session=session, settings=self.settings, bus=self.bus, inbound=inbound,
                              customer=customer, identity=identity, conversation=conversation,
                              message=message, services=self.services)
            for step in steps:
                await step(ctx)
                if ctx.done:
                    break
            # A step may move the shopper on to another of their conversations (records joined by a merge).
            conversation = ctx.conversation
            reply_ids = await queue_replies(session, conversation, ctx.replies)
            conversation.updated_at = utcnow()
            return FlowResult(False, message.id, conversation.id, reply_ids, conversation.language), ctx

    async def _publish(self, ctx: FlowContext, result: FlowResult) -> None:
        # Each event on its own and at least to this process: while Redis is down, this process's
        # consoles still see the message and the hand-off, and its worker still sends the replies.
        conversation_id = result.conversation_id
        await self.bus.publish_or_log(events.MESSAGE_CREATED, {
            "conversation_id": conversation_id, "message_id": result.message_id, "direction": "in",
            "author": "customer", "status": ctx.conversation.status,
        })
        for message_id in result.reply_message_ids:
            await self.bus.publish_or_log(events.MESSAGE_CREATED, {
                "conversation_id": conversation_id, "message_id": message_id, "direction": "out", "author": "bot",
                "status": ctx.conversation.status,
            })
        if result.reply_message_ids:
            await self.bus.publish_or_log(events.OUTBOX_READY, {"channel": ctx.conversation.channel,
                                                                "chat_id": ctx.conversation.chat_id})
        for topic, event in ctx.events:
            await self.bus.publish_or_log(topic, event)


async def resolve_identity(session: AsyncSession, inbound: InboundMessage) -> Identity:
    """The sender's identity on this channel, created with a new customer on first contact."""
    identity = await session.scalar(
        select(Identity).where(Identity.channel == inbound.channel, Identity.external_id == inbound.user_id)
    )
    now = utcnow()
    # A name longer than the column (Viber documents no limit) is cut rather than lose the message to it.
    name = (inbound.display_name or "")[:NAME_CHARS] or None
    if identity is None:
        customer = Customer(name=name, preferred_language=inbound.language_hint)
        session.add(customer)
        await session.flush()
        identity = Identity(customer_id=customer.id, channel=inbound.channel, external_id=inbound.user_id)
        session.add(identity)
    identity.chat_id = inbound.chat_id
    identity.display_name = name or identity.display_name
    identity.username = (inbound.username or "")[:NAME_CHARS] or identity.username
    identity.language_code = inbound.language_hint or identity.language_code
    identity.subscribed = True
    identity.last_seen_at = now
    await session.flush()
    return identity


async def current_conversation(session: AsyncSession, customer_id: int, inbound: InboundMessage) -> Conversation:
    """The customer's current conversation (on any channel), or a new one.

    One that people hold (queued or assigned) comes first, even when a newer one exists: linking a
    second messenger or merging customers can bring along the other identity's bot conversation, and
    the shopper must stay with their agent rather than be answered by the bot in parallel. Next, a
    rating goes to the conversation that asked for it, newest or not, and so do thanks and praise
    before it (bots.steps.csat). Otherwise the newest is current unless it is resolved: then only a
    late rating button, or a typed rating, thanks or praise while its rating window is open, still
    belongs to it, and anything else starts a new conversation with the bot (the wait for a rating
    ends). Replies always go to the channel the customer wrote from last.
    """
    held, awaiting, newest = await _candidates(session, customer_id)
    conversation = held
    if conversation is None:
        # Not always the newest: records joined by a merge bring along newer conversations (handoff.joining).
        if awaiting is not None and await belongs_to_rating(session, awaiting, inbound):
            conversation = awaiting
        elif awaiting is not None:
            awaiting.awaiting_csat = False
    if conversation is None:
        conversation = newest
        rates = conversation is not None and await belongs_to_rating(session, conversation, inbound)
        if conversation is not None and conversation.status == "resolved" and not rates:
            conversation.awaiting_csat = False
            conversation = None
    if conversation is None:
        conversation = Conversation(customer_id=customer_id, status="bot", channel=inbound.channel)
        session.add(conversation)
    conversation.channel = inbound.channel
    conversation.chat_id = inbound.chat_id
    await session.flush()
    return conversation


async def _candidates(session: AsyncSession, customer_id: int) -> tuple[Conversation | None, ...]:
    """The customer's newest held (queued or assigned), newest awaiting a rating and newest conversation.

    One query for all three (a customer has few of the first two kinds): the inbound flow runs it for
    every message.
    """
    newest_id = select(func.max(Conversation.id)).where(Conversation.customer_id == customer_id).scalar_subquery()
    rows = (await session.scalars(
        select(Conversation).where(Conversation.customer_id == customer_id,
                                   or_(Conversation.status.in_(HELD_STATUSES), Conversation.awaiting_csat.is_(True),
                                       Conversation.id == newest_id))
        .order_by(Conversation.id.desc())
    )).all()
    held = next((c for c in rows if c.status in HELD_STATUSES), None)
    awaiting = next((c for c in rows if c.awaiting_csat), None)
    return held, awaiting, rows[0] if rows else None


async def queue_replies(session: AsyncSession, conversation: Conversation, replies: Sequence[Reply]) -> list[int]:
    """Store each reply as an outgoing message with its outbox row; returns the message ids."""
    ids = []
    for reply in replies:
        message = await queue_outgoing(session, conversation, payload=reply.to_payload(), author=reply.author,
                                       meta=reply.meta)
        ids.append(message.id)
    return ids
