"""A follow-up question in Telegram, end to end: the demo knowledge base, the real NLU and the Bot API double.

"а скільки їде?" right after the delivery-cost answer used to get "I could not find an answer"; now the
shopper is offered the delivery topics and one tap answers. A pause of more than the follow-up window,
or chatter, gets no follow-up reading (chatter its own "I can help with…" reply).
"""

from datetime import timedelta

import pytest
from sqlalchemy import update

from bots.steps.answer import DID_YOU_MEAN, FALLBACK, FOLLOW_UP_WINDOW, OFF_TOPIC
from core.database import utcnow
from core.models import Message
from tests.integration.bots.test_clarify_buttons import _candidate_rows, _nth_sent
from tests.support import telegram_payloads as tp
from tests.support.channels import post_telegram, stored_messages

QUESTION = "Скільки коштує доставка до Львова?"
FOLLOW_UP = "а скільки їде?"


@pytest.fixture
def client(demo_kb_client):
    """The app with the product's own flow and NLU over the demo knowledge base."""
    return demo_kb_client


async def _say(client, settings, text: str, language: str = "uk") -> None:
    update_ = tp.text_update(text, language_code=language)
    assert (await post_telegram(client, settings, update_)).status_code == 200


async def _answered_article(session_factory) -> str | None:
    decision = (await stored_messages(session_factory, "out"))[-1].payload.get("decision") or {}
    return decision.get("article_id") if decision.get("action") == "answer" else None


async def test_a_follow_up_is_offered_the_topic_and_the_tap_answers(client, channels_settings, telegram,
                                                                    session_factory) -> None:
    await _say(client, channels_settings, QUESTION)
    await _nth_sent(telegram, tp.USER_ID, 1)
    assert await _answered_article(session_factory) == "delivery-cost"

    await _say(client, channels_settings, FOLLOW_UP)
    offer = await _nth_sent(telegram, tp.USER_ID, 2)
    assert offer["text"] == DID_YOU_MEAN["uk"]
    choices = [row[0]["callback_data"] for row in _candidate_rows(offer)]
    assert choices[0] == "kb:delivery-cost" and "kb:delivery-time" in choices

    press = tp.callback_update("kb:delivery-time", message=tp.bot_message(offer), query_id="cq-follow-up")
    assert (await post_telegram(client, channels_settings, press)).status_code == 200
    await _nth_sent(telegram, tp.USER_ID, 3)
    assert await _answered_article(session_factory) == "delivery-time"


@pytest.mark.parametrize(("question", "follow_up", "language"), [
    ("скільки коштує доставка?", "а скільки днів?", "uk"),
    ("сколько стоит доставка?", "а сколько дней?", "ru"),
    ("how much is delivery?", "and how long?", "en"),
    ("Скільки коштує доставка до Львова?", "а скільки днів?", "uk"),  # a longer question, outweighing more
    ("скільки коштує доставка?", "а скільки вона йде?", "uk"),  # the knowledge base writes "іде"
])
async def test_a_follow_up_asking_for_the_neighbouring_article_is_answered(client, channels_settings, telegram,
                                                                         session_factory, question, follow_up,
                                                                         language) -> None:
    # Found by QA: in uk and en the delivery cost just answered came back first in "Did you mean"; ru answered.
    await _say(client, channels_settings, question, language)
    await _nth_sent(telegram, tp.USER_ID, 1)
    assert await _answered_article(session_factory) == "delivery-cost"

    await _say(client, channels_settings, follow_up, language)
    answer = await _nth_sent(telegram, tp.USER_ID, 2)
    assert answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "fb:delivery-time:up"
    assert await _answered_article(session_factory) == "delivery-time"


async def test_after_a_pause_or_as_chatter_it_is_a_new_question(client, channels_settings, telegram,
                                                                session_factory) -> None:
    await _say(client, channels_settings, QUESTION)
    await _nth_sent(telegram, tp.USER_ID, 1)
    await _say(client, channels_settings, "розкажи анекдот")
    assert (await _nth_sent(telegram, tp.USER_ID, 2))["text"] == OFF_TOPIC["uk"]

    await _say(client, channels_settings, QUESTION)
    await _nth_sent(telegram, tp.USER_ID, 3)
    async with session_factory() as session, session.begin():
        # The answer was sent longer ago than the window: the shopper has moved on.
        await session.execute(update(Message).where(Message.direction == "out")
                              .values(created_at=utcnow() - FOLLOW_UP_WINDOW - timedelta(minutes=1)))
    await _say(client, channels_settings, FOLLOW_UP)
    assert (await _nth_sent(telegram, tp.USER_ID, 4))["text"] == FALLBACK["uk"]
