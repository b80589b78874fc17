"""What supervisors and editors see after small talk, chatter and a bare "ні" in Telegram, end to end:
the demo knowledge base, the real NLU, the Bot API double, then the analytics and inbox APIs.

Regression: "яка погода в києві?" and "ні" got their own replies but were stored as fallbacks, so the
analytics listed them among the top unanswered questions, and a conversation that ended with chatter
after a good answer counted as one the bot left without help.
"""

from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import select

from bots.steps.answer import DID_YOU_MEAN, OFF_TOPIC
from core.models import Conversation, Message
from tests.support.channels import stored_messages
from tests.support.staff import bearer_for
from tests.support.telegram_talk import say_on_telegram

UNANSWERABLE = "чи можна замовити ремонт взуття?"


@pytest.fixture
def client(demo_kb_client):
    """The app with the product's own flow and NLU over the demo knowledge base."""
    return demo_kb_client


async def test_chatter_ok_and_a_bare_no_are_not_among_the_unanswered_questions(
        client, channels_settings, telegram, session_factory) -> None:
    for user_id, text in ((6670001, "яка погода в києві?"), (6670002, "ні"), (6670003, "ок"),
                          (6670004, UNANSWERABLE)):
        await say_on_telegram(client, channels_settings, telegram, user_id, text, "uk")
    decisions = [m.payload.get("decision") for m in await stored_messages(session_factory, "out")]
    # Their own outcome: the reply's reason says what it was ("ок" is small talk, no NLU decision at all).
    assert [(d["action"], d["reason"]) if d else None for d in decisions] == [
        ("fallback", "chatter"), ("fallback", "not_that"), None, ("fallback", "low_confidence")]

    supervisor = await bearer_for(session_factory, "supervisor")
    summary = (await client.get("/api/analytics/summary", headers=supervisor)).json()
    assert summary["unanswered_topics"] == [{"text": UNANSWERABLE, "count": 1}]
    editor = await bearer_for(session_factory, "editor")
    inbox = (await client.get("/api/kb/unanswered", headers=editor)).json()
    assert [group["examples"] for group in inbox["groups"]] == [[UNANSWERABLE]]


async def _two_days_earlier(session_factory) -> None:
    """Move every conversation and message two days back, past the 24 hours that settle a conversation."""
    async with session_factory() as session, session.begin():
        for row in [*(await session.scalars(select(Conversation))), *(await session.scalars(select(Message)))]:
            row.created_at -= timedelta(days=2)


async def test_chatter_after_an_answer_leaves_the_conversation_resolved_by_the_bot(
        client, channels_settings, telegram, session_factory) -> None:
    answered_then_chatter, answered_then_no, unanswered = 6670011, 6670012, 6670013
    say = partial(say_on_telegram, client, channels_settings, telegram, language="uk")
    await say(answered_then_chatter, "доставка?")
    assert (await say(answered_then_chatter, "яка погода в києві?"))["text"] == OFF_TOPIC["uk"]
    await say(answered_then_no, "доставка?")
    # The shopper turned the answer down and left the "Did you mean" buttons unpicked: not helped.
    assert (await say(answered_then_no, "не то"))["text"] == DID_YOU_MEAN["uk"]
    await say(unanswered, UNANSWERABLE)
    await _two_days_earlier(session_factory)

    supervisor = await bearer_for(session_factory, "supervisor")
    summary = (await client.get("/api/analytics/summary", headers=supervisor)).json()  # the last 30 days
    assert (summary["conversations"], summary["bot_resolved"], summary["handoffs"]) == (3, 1, 0)
    assert summary["deflection_rate"] == 0.3333
