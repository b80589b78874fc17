"""One conversation with people per shopper once two customer records turn out to be one person.

A shopper who asked for a person in Telegram and again in Viber has two conversations in the queue;
when a shared phone or a shop link then joins the records, both belong to one customer. Left so,
two agents would answer one person at once, each on another messenger, and a rating would land on
whichever conversation asked last. So the merge keeps one and closes the others into it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.database import utcnow
from core.models import Conversation
from core.settings import pick_language
from handoff import agents
from handoff.flows import conversation_updated, dispatch, send_notices
from handoff.state import HUMAN_STATUSES, SYSTEM, Outcome, transition

JOINED = "joined"  # the reason recorded on a conversation closed into another


async def join_after_merge(session: AsyncSession, customer_id: int, *, outcome: Outcome) -> Conversation | None:
    """After staff merged two records: join the customer's held conversations around the one written in last.

    Texts for the shopper (an agent joining) are queued here, there being no inbound message to answer.
    Returns the conversation kept, or None when people hold none of the customer's conversations.
    """
    latest = await session.scalar(
        select(Conversation).where(Conversation.customer_id == customer_id, Conversation.status.in_(HUMAN_STATUSES))
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc()).limit(1))
    if latest is None:
        return None
    kept = await join_held_conversations(session, latest, outcome=outcome)
    await send_notices(session, kept, outcome)
    return kept


async def join_held_conversations(session: AsyncSession, current: Conversation, *, outcome: Outcome
                                  ) -> Conversation:
    """The conversation the shopper of ``current`` goes on in: one that people hold, the others closed into it.

    The one kept is the one a person is already talking in (assigned before queued), then the most
    urgent (priority), then the one waiting longest; it takes the highest priority of those closed
    and answers on ``current``'s messenger, where the shopper writes now. The others are resolved
    with reason ``joined`` (data ``{"into": id}``), without a rating question and with their timers
    stopped; their agents are free for the queue again. Every message stays on the customer's
    timeline, which is what the agent reads. Texts for the kept conversation (an agent joining it)
    go to ``outcome``.

    Returns:
        The conversation kept, or ``current`` when people hold none of the customer's conversations.
    """
    held = list((await session.scalars(
        select(Conversation).where(Conversation.customer_id == current.customer_id,
                                   Conversation.status.in_(HUMAN_STATUSES))
    )).all())
    if not held:
        return current
    held.sort(key=lambda c: (c.status != "assigned", -c.priority, c.waiting_since or utcnow(), c.id))
    kept, others = held[0], held[1:]
    kept.channel, kept.chat_id = current.channel, current.chat_id
    kept.priority = max(c.priority for c in held)
    await session.flush()
    for other in others:
        await transition(session, other, "resolved", actor=SYSTEM, reason=JOINED, data={"into": kept.id},
                         changes={"resolved_at": utcnow(), "first_response_due_at": None,
                                  "next_response_due_at": None, "awaiting_csat": False})
        conversation_updated(outcome, other, JOINED)
        await dispatch(session, await agents.find_team(session, name=other.team), outcome=outcome, current=kept,
                       language=pick_language(kept.language))
    if others:
        conversation_updated(outcome, kept, JOINED)
    return kept
