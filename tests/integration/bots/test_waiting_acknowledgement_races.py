"""Two messages of one queued shopper handled at the same moment in two processes get one acknowledgement.

Found in the multi-process QA pass: a shopper linked on Telegram and Viber who wrote on both at once
while waiting for a person heard "your message is passed on" twice; each process looked for a recent
word to the shopper before the other had committed its own. (Two messages from one messenger account
already wait for each other: each flow updates the sender's identity row first.)
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select, update

from bots.flow import InboundFlow
from bots.inbound import FlowContext
from bots.steps.human_owned import human_owned
from core.bus import MemoryEventBus
from core.database import utcnow
from core.models import Message
from handoff import texts
from handoff.waiting import ACKNOWLEDGE_EVERY
from tests.support.handoff import customer_on_viber_and_telegram, queued_request_for_a_person, shopper


def _flow(settings, factory, both_stored: asyncio.Barrier) -> InboundFlow:
    """The hand-off's part of the flow, entered only once both messages are stored (neither committed)."""
    async def wait_for_the_other(ctx: FlowContext) -> None:
        async with asyncio.timeout(10):
            await both_stored.wait()

    return InboundFlow(settings=settings, session_factory=factory, bus=MemoryEventBus(),
                       steps=[wait_for_the_other, human_owned])


async def test_two_messages_at_once_in_two_processes_get_one_acknowledgement(settings, session_factory,
                                                                             other_process) -> None:
    await customer_on_viber_and_telegram(session_factory)
    conversation_id = await queued_request_for_a_person(settings, session_factory)  # on Telegram
    async with session_factory() as session, session.begin():  # the queue notice went out long ago
        await session.execute(update(Message).where(Message.conversation_id == conversation_id)
                              .values(created_at=utcnow() - 2 * ACKNOWLEDGE_EVERY))
    both_stored = asyncio.Barrier(2)

    results = await asyncio.gather(
        _flow(settings, session_factory, both_stored).process(shopper("hello?", user="1001")),
        _flow(settings, other_process, both_stored).process(
            shopper("anyone there?", user="vb-1", channel="viber")))

    assert {r.conversation_id for r in results} == {conversation_id}
    assert sorted(len(r.reply_message_ids) for r in results) == [0, 1]
    async with session_factory() as session:
        out = (await session.scalars(select(Message.text).where(
            Message.conversation_id == conversation_id, Message.direction == "out").order_by(Message.id))).all()
    assert out[1:] == [texts.text("waiting_ack", "en", position=1)]
