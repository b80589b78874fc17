"""A web chat socket open on a process that lost Redis for a while gets what it missed once the bus is back.

Found by the multi-process QA pass: an agent's reply, published by another process's delivery worker
while this one was not subscribed, never reached the visitor's open socket (only a reconnect showed it).
The bus calls ``on_subscribed`` callbacks when it subscribes again; here the test calls them as it would.
"""

import uuid

from sqlalchemy import select

from bots.flow import InboundFlow
from bots.inbound import InboundMessage
from bots.webchat.hub import WebchatHub
from core.bus import MemoryEventBus
from core.models import Conversation
from core.outbox import queue_outgoing
from tests.support.channels import delivery_test_steps, eventually


async def test_open_sockets_get_their_history_again_when_the_bus_subscribes_again(settings, session_factory):
    bus = MemoryEventBus()
    hub = WebchatHub(InboundFlow(settings=settings, session_factory=session_factory, bus=bus,
                                 steps=delivery_test_steps()))
    hub.start()
    visitor, frames = uuid.uuid4().hex, []

    async def push(frame: dict) -> None:
        frames.append(frame)

    try:
        await hub.flow.process(InboundMessage(channel="webchat", user_id=visitor, chat_id=visitor, dedup_key="c1",
                                              text="is anyone there?"))
        hub.connect(visitor, push)
        async with session_factory() as session, session.begin():
            conversation = await session.scalar(select(Conversation))
            # An agent's reply that another process delivered while this one heard nothing of it.
            await queue_outgoing(session, conversation, payload={"text": "Olena here, checking your order"},
                                 author="agent")
        assert frames == []
        bus._subscribed()
        await eventually(lambda: frames)
    finally:
        hub.stop()
    [history] = frames
    assert history["type"] == "history"
    assert [m["text"] for m in history["messages"]][-1] == "Olena here, checking your order"
