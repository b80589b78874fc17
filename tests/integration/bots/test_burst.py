"""A burst of 200 shopper messages across 20 chats while Telegram rate-limits (429 storm) and fails (502)."""

import asyncio
import itertools
import threading
from collections import defaultdict

from sqlalchemy import select

from core.models import Message, OutboxItem
from tests.support import telegram_payloads as tp
from tests.support.channels import TELEGRAM_WEBHOOK, eventually, telegram_headers
from tests.support.telegram_double import bad_gateway, too_many_requests

CHATS = 20
PER_CHAT = 10


class Storm:
    """sendMessage calls 15-40 hit flood control (429, retry after 1s); every 7th other call is a 502."""

    def __init__(self):
        self.calls = itertools.count(1)
        self.lock = threading.Lock()

    def __call__(self, method, params):
        if method != "sendMessage":
            return None
        with self.lock:
            n = next(self.calls)
        if 15 <= n <= 40:
            return too_many_requests(1)
        if n % 7 == 0:
            return bad_gateway()
        return None


async def test_burst_is_delivered_completely_in_order_and_once(channels_client, channels_settings, telegram,
                                                               session_factory):
    telegram.fault = Storm()
    updates = [tp.text_update(f"question {n} from {chat}", user_id=5000 + chat)
               for n in range(PER_CHAT) for chat in range(CHATS)]
    headers = telegram_headers(channels_settings)
    for start in range(0, len(updates), 20):  # Telegram sends a chat's updates one at a time, chats in parallel
        responses = await asyncio.gather(*(channels_client.post(TELEGRAM_WEBHOOK, json=u, headers=headers)
                                           for u in updates[start:start + 20]))
        assert {r.status_code for r in responses} == {200}

    await telegram.wait_for_async(lambda: len(telegram.delivered) >= CHATS * PER_CHAT, within=60)

    async def all_sent():
        async with session_factory() as session:
            statuses = (await session.scalars(select(OutboxItem.status))).all()
        return len(statuses) == CHATS * PER_CHAT and set(statuses) == {"sent"}

    await eventually(all_sent, within=20)
    await asyncio.sleep(0.3)  # nothing else trickles out afterwards
    assert len(telegram.delivered) == CHATS * PER_CHAT
    assert len(telegram.calls_of("sendMessage")) > CHATS * PER_CHAT + 26  # the storm really forced retries

    async with session_factory() as session:
        out = (await session.scalars(select(Message).where(Message.direction == "out")
                                     .order_by(Message.id))).all()
        inbound = (await session.scalars(select(Message).where(Message.direction == "in"))).all()
    assert len(inbound) == CHATS * PER_CHAT
    by_chat = defaultdict(list)
    for message in out:
        by_chat[message.chat_id].append(int(message.channel_message_id))
    assert len(by_chat) == CHATS
    for chat_id, telegram_ids in by_chat.items():
        # The double numbers messages in the order it accepted them: per chat that is the queue order.
        assert telegram_ids == sorted(telegram_ids), chat_id
        assert len(telegram_ids) == PER_CHAT
    delivered_ids = [d["message_id"] for d in telegram.delivered]
    assert len(set(delivered_ids)) == len(delivered_ids) == CHATS * PER_CHAT
