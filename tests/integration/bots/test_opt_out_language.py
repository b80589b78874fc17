"""Marketing opt-out and opt-in are confirmed in the language the shopper writes them in."""

import pytest
from sqlalchemy import select

from bots.flow import InboundFlow
from bots.steps import default_steps
from core.bus import MemoryEventBus
from core.models import Conversation, Message
from tests.support.customers import shopper


@pytest.fixture
def flow(settings, session_factory):
    return InboundFlow(settings=settings, session_factory=session_factory, bus=MemoryEventBus(),
                       steps=default_steps())


async def _reply(session_factory, result) -> str:
    async with session_factory() as session:
        (reply,) = (await session.scalars(select(Message).where(Message.id.in_(result.reply_message_ids)))).all()
        return reply.text


@pytest.mark.parametrize(("opt_out", "opt_in", "language", "said", "said_again"), [
    ("відписатися", "підписатися", "uk", "рекламних", "пропозиції"),
    ("отписаться", "подписаться", "ru", "рекламные", "предложения"),
])
async def test_opting_out_after_english_is_confirmed_in_the_shoppers_words(
        flow, session_factory, opt_out, opt_in, language, said, said_again):
    # Found by QA: the confirmation came in the conversation's earlier language (English, the app's).
    await flow.process(shopper("telegram", "tg-41", text="Where is my parcel? I ordered it a week ago.",
                               language="en"))
    out = await flow.process(shopper("telegram", "tg-41", text=opt_out, language="en"))
    assert said in await _reply(session_factory, out)
    back = await flow.process(shopper("telegram", "tg-41", text=opt_in, language="en"))
    assert said_again in await _reply(session_factory, back)
    async with session_factory() as session:
        assert (await session.get(Conversation, back.conversation_id)).language == language


async def test_stop_after_english_stays_english(flow, session_factory):
    await flow.process(shopper("telegram", "tg-42", text="Where is my parcel? I ordered it a week ago.",
                               language="en"))
    out = await flow.process(shopper("telegram", "tg-42", text="stop", language="en"))
    assert (await _reply(session_factory, out)).startswith("You will get no more promotional messages")
