"""Telegram's flood control: the worker's sends in flight per channel are capped, and a 429's wait is obeyed.

Found by QA: after a 429 with ``retry_after``, about 18 more sends reached the Bot API within half a
second (a claimed batch was sent concurrently, and sends already claimed went ahead).
"""

import asyncio
from dataclasses import replace

from bots.messenger import RecordingMessenger
from bots.outbox import DeliveryPolicy
from core.models import OutboxItem
from tests.integration.bots.test_outbox import queue, rows
from tests.support.channels import eventually, telegram_delivery
from tests.support.telegram_flood import FloodTelegram, HoldingTelegram

CAP = 3  # not the default, so the policy's value is what counts
POLICY = DeliveryPolicy(lock_seconds=30, give_up_after=600, backoff_base=0.02, backoff_max=0.1, poll_interval=0.05,
                        channel_concurrency=CAP)
CHATS = [1001 + n for n in range(8)]


async def queue_chats(session_factory, per_chat: int) -> dict[int, list[str]]:
    """``per_chat`` messages for each of ``CHATS`` on Telegram; the texts by chat."""
    texts = {chat: [f"{chat}-{n}" for n in range(per_chat)] for chat in CHATS}
    for chat, chat_texts in texts.items():
        await queue(session_factory, str(chat), chat_texts, channel="telegram")
    return texts


async def test_no_send_reaches_telegram_during_its_flood_wait(settings, session_factory):
    texts = await queue_chats(session_factory, per_chat=3)
    with FloodTelegram(retry_after=2, wave=CAP) as telegram:
        async with telegram_delivery(settings, session_factory, telegram, policy=POLICY):
            await eventually(lambda: len(telegram.sent()) >= 24, within=30)
            await asyncio.sleep(0.3)  # a send repeated would arrive meanwhile
        sends = telegram.calls_of("sendMessage")
    told_at, over_at = telegram.flood_answered_at, telegram.flood_over_at
    # Only the sends in flight when the 429 came reached Telegram before its wait was over.
    assert [call.params["text"] for call in sends if told_at < call.at < over_at] == []
    assert len([call for call in sends if call.at < over_at]) <= CAP
    for chat in CHATS:
        assert telegram.texts_to(chat) == texts[chat]  # each once, in order
    # Items claimed before the pause and held back did not count an attempt; the one told to wait did.
    told_to_wait = telegram.flooded["text"]
    attempts = {item.payload["text"]: item.attempts for item in await rows(session_factory, OutboxItem)}
    assert attempts == {text: 2 if text == told_to_wait else 1 for chat in CHATS for text in texts[chat]}
    assert {item.status for item in await rows(session_factory, OutboxItem)} == {"sent"}


async def test_at_most_the_cap_of_sends_are_in_flight_per_channel(settings, session_factory):
    texts = await queue_chats(session_factory, per_chat=2)
    with HoldingTelegram(hold=0.5) as telegram:
        async with telegram_delivery(settings, session_factory, telegram, policy=POLICY):
            await eventually(lambda: len(telegram.sent()) >= 16, within=30)
    assert 2 <= telegram.max_in_flight <= CAP  # capped, and still more than one at a time
    for chat in CHATS:
        assert telegram.texts_to(chat) == texts[chat]


async def test_a_long_message_sends_no_part_into_a_flood_wait_begun_between_its_parts(settings, session_factory):
    long_text = ("Параграф про доставку. " * 150 + "\n\n") * 3  # three parts on Telegram
    (long_id,) = await queue(session_factory, "1001", [long_text], channel="telegram")
    (short_id,) = await queue(session_factory, "1002", ["short"], channel="telegram")
    # The short message is told to wait while the long one's first part is out; that part's answer
    # comes a second later, well after the client has read the 429.
    with FloodTelegram(retry_after=2, wave=2, flood_chat=1002, others_after=1.0) as telegram:
        async with telegram_delivery(settings, session_factory, telegram, policy=POLICY):
            await eventually(lambda: len(telegram.sent()) >= 4, within=30)
            await asyncio.sleep(0.3)  # a part repeated would arrive meanwhile
        sends = telegram.calls_of("sendMessage")
    told_at, over_at = telegram.flood_answered_at, telegram.flood_over_at
    assert [call.params["chat_id"] for call in sends if told_at < call.at < over_at] == []
    parts = telegram.texts_to(1001)
    assert len(parts) == 3  # each part once: the first is not sent again after the wait
    assert "".join(parts).replace("\n", "").replace(" ", "") == long_text.replace("\n", "").replace(" ", "")
    assert telegram.texts_to(1002) == ["short"]
    attempts = {item.message_id: item.attempts for item in await rows(session_factory, OutboxItem)}
    assert attempts == {long_id: 1, short_id: 2}


async def test_a_backlog_on_telegram_does_not_keep_another_channels_reply_waiting(settings, session_factory):
    # Found in review: the worker claimed its whole batch from the oldest items, all Telegram's, and the
    # ones beyond Telegram's slots sat claimed, so a later reply on another channel waited for them.
    await queue_chats(session_factory, per_chat=1)
    await queue(session_factory, "web-1", ["hello"], channel="fake")  # queued after all of Telegram's

    class CountingTelegramAnswers(RecordingMessenger):
        """Another channel that notes how many Telegram sends were answered when its own went out."""

        answered_before: int | None = None

        async def send(self, chat_id, payload):
            self.answered_before = len(telegram.sent())
            return await super().send(chat_id, payload)

    other = CountingTelegramAnswers()
    room_for_one_more = replace(POLICY, concurrency=CAP + 1)
    with HoldingTelegram(hold=3.0) as telegram:
        async with telegram_delivery(settings, session_factory, telegram, policy=room_for_one_more,
                                     others={"fake": other}):
            await eventually(lambda: other.sent, within=10)
            await eventually(lambda: len(telegram.sent()) == len(CHATS), within=30)
    # It went out alongside Telegram's first sends, not after one of them was answered.
    assert other.answered_before == 0
    assert telegram.max_in_flight == CAP
    assert [telegram.texts_to(chat) for chat in CHATS] == [[f"{chat}-0"] for chat in CHATS]
