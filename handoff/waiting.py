"""What a shopper hears on writing again while the conversation waits in the queue for a person.

Before, nothing: each message reached the agents' console, but a shopper far down the line got no
sign of it and wrote "hello??" again or left. Now the bot says the message is passed on (with the
place in line, or when the team opens), at most once per :data:`ACKNOWLEDGE_EVERY`. Once a person
holds the conversation (assigned) the bot stays silent: the shopper is talking to them.

Nothing makes the inbound flows of one conversation wait for each other as a whole (two messages from
one messenger account happen to, on the sender's identity row, but a shopper linked on two messengers
writes through two). So the look for a recent word and the acknowledgement are made atomic here: the
conversation's row is locked first, until the flow commits, and a second message handled at the same
moment in another process finds the first one's acknowledgement once it may look.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Conversation, Message
from handoff import agents, hours, routing, texts
from handoff.state import Notice, Outcome

# Five lines typed in a row get one acknowledgement, not five; a shopper still waiting after this long
# hears again that the message arrived. The hand-off's own "you are number N in the queue" counts too.
ACKNOWLEDGE_EVERY = timedelta(minutes=10)


async def acknowledge_waiting(session: AsyncSession, conversation: Conversation, *, now: datetime, language: str,
                              outcome: Outcome) -> None:
    """Tell the shopper of a queued ``conversation`` their message is passed on, unless we spoke lately."""
    if conversation.status != "queued" or not await _still_queued_locked(session, conversation) \
            or await _spoke_lately(session, conversation, now):
        return
    team = await agents.find_team(session, name=conversation.team)
    opening = hours.next_opening(team, now)
    if opening is None:
        position = await routing.queue_position(session, conversation)
        outcome.tell(Notice(texts.text("waiting_ack", language, position=position), author="bot"))
    else:
        when = texts.describe_opening(*hours.local_opening(team, opening, now), language)
        outcome.tell(Notice(texts.text("waiting_ack_closed", language, when=when), author="bot"))


async def _still_queued_locked(session: AsyncSession, conversation: Conversation) -> bool:
    """Lock the conversation's row until commit and say whether it still waits in the queue (an agent may
    have taken it meanwhile).

    FOR NO KEY UPDATE, not FOR UPDATE: the flow's own message already holds the row's key-share lock,
    and two flows each upgrading to FOR UPDATE would deadlock. SQLite lets one transaction write at a
    time, and the flow has written its message by now, so it needs no lock.
    """
    return await session.scalar(
        select(Conversation.status).where(Conversation.id == conversation.id).with_for_update(key_share=True)
    ) == "queued"


async def _spoke_lately(session: AsyncSession, conversation: Conversation, now: datetime) -> bool:
    """Whether anything went out to the shopper in this conversation within :data:`ACKNOWLEDGE_EVERY`."""
    last_out = await session.scalar(
        select(Message.created_at).where(Message.conversation_id == conversation.id, Message.direction == "out")
        .order_by(Message.id.desc()).limit(1))
    return last_out is not None and now - last_out < ACKNOWLEDGE_EVERY
