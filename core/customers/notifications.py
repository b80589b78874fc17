"""Proactive notifications: queued on the customer's preferred channel, failing over to the next.

The preferred channel is the one the customer last wrote from. Each channel tried is a
:class:`NotificationAttempt`; when the outbox gives up on an attempt's message (``OUTBOX_DEAD``),
:func:`fail_over` queues the same text on the customer's next channel. Sending is spread out
per channel (``notification_rate_*`` settings) by giving each outbox row a later due time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import events
from core.customers.models import Notification, NotificationAttempt
from core.customers.service import surviving
from core.customers.templates import get_template, render
from core.database import serialize, utcnow
from core.errors import ConflictError
from core.models import Conversation, Customer, Identity, Message, OutboxItem
from core.outbox import queue_outgoing, reachable_identities
from core.settings import Settings, pick_language

# Message.delivery_status -> the attempt's status as the API reports it.
ATTEMPT_STATUS = {"pending": "queued", "sent": "sent", "delivered": "delivered", "seen": "delivered",
                  "failed": "failed", "dead": "failed"}


async def language_of(session: AsyncSession, customer: Customer, identity: Identity | None,
                      settings: Settings) -> str:
    """The language to write to the customer in: the one they write to the shop in, else a hint, else the default.

    That is the language of their latest conversation that has one (as the bot detected it from
    what they wrote), then ``preferred_language`` and the messenger's language code, which are only
    the app's UI language when the record was created (many Ukrainian shoppers run Telegram in English).
    """
    written = await session.scalar(select(Conversation.language)
                                   .where(Conversation.customer_id == customer.id, Conversation.language.is_not(None))
                                   .order_by(Conversation.id.desc()).limit(1))
    return pick_language(written, customer.preferred_language, identity.language_code if identity else None,
                         default=settings.default_language)


async def send_notification(session: AsyncSession, settings: Settings, *, customer: Customer, template: str,
                            params: dict, channel: str | None = None, requested_by: int | None = None
                            ) -> tuple[Notification, list[tuple[str, dict]]]:
    """Render and queue a notification; returns it with the events to publish after commit.

    Args:
        channel: try this channel first instead of the one the customer last wrote from; when the
            customer is not reachable there, their other messengers follow in the usual order.

    Raises:
        ValidationFailed: unknown template or a missing parameter (nothing is stored).
        ConflictError: the customer opted out of marketing, was erased or has no messenger to write to.
    """
    chosen = get_template(template)
    customer = await surviving(session, customer)
    if customer.erased_at is not None:
        raise ConflictError(f"customer {customer.id} was erased")
    if chosen.marketing and customer.marketing_opt_out:
        raise ConflictError(f"customer {customer.id} opted out of marketing messages; nothing was sent")
    candidates = await reachable_identities(session, customer.id)
    if channel:
        # ``channel`` is tried first, not only: a customer not reachable there gets the notification on
        # their other messengers, as they would if its delivery there gave up (see fail_over).
        candidates.sort(key=lambda identity: identity.channel != channel)
    language = await language_of(session, customer, candidates[0] if candidates else None, settings)
    text = render(chosen, language, params)
    if not candidates:
        raise ConflictError(f"customer {customer.id} cannot be reached on any messenger; nothing was sent")
    notification = Notification(customer_id=customer.id, template=template, language=language,
                                params={k: str(v) for k, v in params.items()}, text=text,
                                marketing=chosen.marketing, requested_channel=channel, requested_by=requested_by)
    session.add(notification)
    await session.flush()
    event = await _queue_attempt(session, settings, notification, candidates[0])
    await session.refresh(notification, ["attempts"])
    return notification, [event]


async def _queue_attempt(session: AsyncSession, settings: Settings, notification: Notification,
                         identity: Identity) -> tuple[str, dict]:
    conversation = await session.scalar(select(Conversation).where(Conversation.customer_id == identity.customer_id)
                                        .order_by(Conversation.id.desc()).limit(1))
    if conversation is None:
        # Shown on the customer's timeline like any message, but not opened for agents.
        conversation = Conversation(customer_id=identity.customer_id, status="resolved", channel=identity.channel,
                                    chat_id=identity.chat_id, resolved_at=utcnow())
        session.add(conversation)
        await session.flush()
    # queue_outgoing writes to the conversation's channel; the notification goes to the chosen
    # identity, so it gets a detached copy addressed there and the conversation's reply channel stays.
    addressed = Conversation(id=conversation.id, customer_id=conversation.customer_id, channel=identity.channel,
                             chat_id=identity.chat_id)
    message = await queue_outgoing(session, addressed, payload={"text": notification.text, "keyboard": None,
                                                                "buttons": []},
                                   author="system", meta={"notification_id": notification.id,
                                                          "template": notification.template})
    slot = await _rate_limit_slot(session, settings, identity.channel)
    await session.execute(update(OutboxItem).where(OutboxItem.message_id == message.id).values(next_attempt_at=slot))
    session.add(NotificationAttempt(notification_id=notification.id, channel=identity.channel,
                                    chat_id=identity.chat_id, message_id=message.id, scheduled_at=slot))
    await session.flush()
    return events.OUTBOX_READY, {"channel": identity.channel, "chat_id": identity.chat_id}


async def _rate_limit_slot(session: AsyncSession, settings: Settings, channel: str) -> datetime:
    """The earliest time this channel may send another notification without exceeding its rate."""
    now = utcnow()
    rate = {"telegram": settings.notification_rate_telegram, "viber": settings.notification_rate_viber}.get(channel)
    if rate is None:
        return now
    # Two processes reading the same last slot would both take the next one: one at a time per channel
    # (the attempt row written after this is what the next reader sees).
    await serialize(session, f"notification-slot:{channel}")
    last = await session.scalar(select(func.max(NotificationAttempt.scheduled_at))
                                .where(NotificationAttempt.channel == channel))
    if last is None:
        return now
    return max(now, last + timedelta(seconds=1 / rate))


async def fail_over(session: AsyncSession, settings: Settings, *, message_id: int, error: str
                    ) -> list[tuple[str, dict]]:
    """Mark the attempt that sent ``message_id`` failed and queue the notification on the next channel.

    Safe to run in several processes for the same dead letter: only the one that marks the attempt
    failed goes on. Returns the events to publish after commit (none when this was not a
    notification, was handled already, or no channel is left).
    """
    attempt = await session.scalar(select(NotificationAttempt).where(NotificationAttempt.message_id == message_id))
    if attempt is None:
        return []
    claimed = await session.execute(
        update(NotificationAttempt).where(NotificationAttempt.id == attempt.id, NotificationAttempt.failed_at.is_(None))
        .values(failed_at=utcnow(), error=(error or "undeliverable")[:2000])
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return []
    notification = await session.get(Notification, attempt.notification_id)
    await session.refresh(notification, ["attempts"])
    tried = {(a.channel, a.chat_id) for a in notification.attempts}
    customer = await surviving(session, await session.get(Customer, notification.customer_id))
    remaining = [i for i in await reachable_identities(session, customer.id) if (i.channel, i.chat_id) not in tried]
    if not remaining or customer.erased_at is not None:
        return []
    return [await _queue_attempt(session, settings, notification, remaining[0])]


async def notification_view(session: AsyncSession, notification: Notification) -> dict:
    """A notification with its overall status and one entry per channel tried."""
    await session.refresh(notification, ["attempts"])
    message_ids = [a.message_id for a in notification.attempts if a.message_id]
    delivery = dict((await session.execute(
        select(Message.id, Message.delivery_status).where(Message.id.in_(message_ids))
    )).all()) if message_ids else {}
    attempts = [{
        "channel": a.channel,
        "status": "failed" if a.failed_at else ATTEMPT_STATUS.get(delivery.get(a.message_id, "pending"), "queued"),
        "error": a.error,
        "scheduled_at": a.scheduled_at.isoformat(),
        "failed_at": a.failed_at.isoformat() if a.failed_at else None,
        "message_id": a.message_id,
    } for a in notification.attempts]
    status = attempts[-1]["status"] if attempts else "failed"
    if status == "queued" and len(attempts) > 1:
        status = "failed_over"
    return {"id": notification.id, "customer_id": notification.customer_id, "template": notification.template,
            "language": notification.language, "marketing": notification.marketing, "text": notification.text,
            "requested_channel": notification.requested_channel, "status": status, "attempts": attempts,
            "created_at": notification.created_at.isoformat()}
