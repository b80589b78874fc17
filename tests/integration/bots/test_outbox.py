"""The delivery worker: order per chat, retries, rate limits, dead letters, long texts, crash recovery."""

import asyncio
import html
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from bots.messenger import PermanentFailure, RecordingMessenger, RetryLater, SendResult
from bots.outbox import DeliveryPolicy, DeliveryWorker
from bots.text_split import utf16_length
from core import events
from core.bus import MemoryEventBus
from core.database import utcnow
from core.models import Conversation, Customer, Message, MessagePart, OutboxItem
from core.outbox import queue_outgoing
from knowledge_base.rendering import plain_text, render
from tests.support.channels import eventually, telegram_delivery
from tests.support.telegram_double import bad_gateway

FAST = DeliveryPolicy(lock_seconds=5, give_up_after=60, backoff_base=0.02, backoff_max=0.1, poll_interval=0.05)


async def queue(session_factory, chat_id: str, texts: list[str], channel: str = "fake", **payload) -> list[int]:
    """Outgoing messages for one chat, as any writer of shopper messages queues them."""
    async with session_factory() as session, session.begin():
        customer = Customer(name=chat_id)
        session.add(customer)
        await session.flush()
        conversation = Conversation(customer_id=customer.id, channel=channel, chat_id=chat_id)
        session.add(conversation)
        await session.flush()
        return [(await queue_outgoing(session, conversation, payload={"text": t, **payload}, author="bot")).id
                for t in texts]


async def rows(session_factory, model, *where):
    async with session_factory() as session:
        return (await session.scalars(select(model).where(*where).order_by(model.id))).all()


class ScriptedMessenger(RecordingMessenger):
    """Fails chosen texts a number of times; records every attempt and every success."""

    def __init__(self, fail: dict[str, list[Exception]] | None = None, delay: float = 0.0):
        super().__init__("fake")
        self.fail = fail or {}
        self.delay = delay
        self.attempts: list[tuple[str, str, float]] = []

    async def send(self, chat_id, payload):
        self.attempts.append((chat_id, payload["text"], time.monotonic()))
        await asyncio.sleep(self.delay)
        if self.fail.get(payload["text"]):
            raise self.fail[payload["text"]].pop(0)
        self.sent.append((chat_id, payload))
        return SendResult([f"id-{payload['text']}"])


@pytest.fixture
def bus():
    return MemoryEventBus()


@pytest.fixture
def published(bus):
    seen = []

    async def listener(topic, event):
        seen.append((topic, event))

    bus.subscribe("*", listener)
    return seen


async def run_worker(session_factory, bus, messenger, settings, policy=FAST, **kwargs):
    worker = DeliveryWorker(session_factory=session_factory, bus=bus, messengers={messenger.channel: messenger},
                            policy=policy, skip_locked=not settings.is_sqlite, **kwargs)
    await worker.start()
    return worker


async def test_chat_order_is_kept_while_the_head_is_retried(settings, session_factory, bus):
    await queue(session_factory, "A", ["a1", "a2", "a3"])
    await queue(session_factory, "B", ["b1", "b2"])
    messenger = ScriptedMessenger({"a1": [RetryLater("502"), RetryLater("timeout")]})
    worker = await run_worker(session_factory, bus, messenger, settings)
    try:
        await eventually(lambda: len(messenger.sent) == 5)
    finally:
        await worker.stop()
    assert [t["text"] for c, t in messenger.sent if c == "A"] == ["a1", "a2", "a3"]
    assert [t["text"] for c, t in messenger.sent if c == "B"] == ["b1", "b2"]
    # a2 was never attempted before a1 went out
    attempts = [text for _, text, _ in messenger.attempts]
    assert attempts.index("a2") > max(i for i, text in enumerate(attempts) if text == "a1")
    messages = await rows(session_factory, Message)
    assert {(m.delivery_status, m.channel_message_id) for m in messages if m.text == "a1"} == {("sent", "id-a1")}
    outbox = await rows(session_factory, OutboxItem)
    assert {o.status for o in outbox} == {"sent"}
    assert [o.attempts for o in outbox if o.payload["text"] == "a1"] == [3]


async def test_retry_after_is_honoured(settings, session_factory, bus):
    await queue(session_factory, "A", ["a1"])
    messenger = ScriptedMessenger({"a1": [RetryLater("429", retry_after=0.6)]})
    worker = await run_worker(session_factory, bus, messenger, settings)
    try:
        await eventually(lambda: messenger.sent)
    finally:
        await worker.stop()
    first, second = messenger.attempts[0][2], messenger.attempts[1][2]
    assert second - first >= 0.6


async def test_permanent_failure_is_a_dead_letter_and_the_chat_moves_on(settings, session_factory, bus, published):
    ids = await queue(session_factory, "A", ["blocked", "next"])
    messenger = ScriptedMessenger({"blocked": [PermanentFailure("Forbidden: bot was blocked by the user")]})
    worker = await run_worker(session_factory, bus, messenger, settings)
    try:
        await eventually(lambda: messenger.sent)
    finally:
        await worker.stop()
    assert [p["text"] for _, p in messenger.sent] == ["next"]
    messages = await rows(session_factory, Message)
    assert [m.delivery_status for m in messages] == ["failed", "sent"]
    dead = [event for topic, event in published if topic == events.OUTBOX_DEAD]
    assert [(d["message_id"], d["payload"]["text"]) for d in dead] == [(ids[0], "blocked")]
    assert "blocked by the user" in dead[0]["error"]
    statuses = [(e["message_id"], e["delivery_status"]) for t, e in published if t == events.MESSAGE_STATUS]
    assert statuses == [(ids[0], "failed"), (ids[1], "sent")]


async def test_gives_up_after_the_bounded_time(settings, session_factory, bus, published):
    await queue(session_factory, "A", ["never"])
    messenger = ScriptedMessenger({"never": [RetryLater("502")] * 1000})
    policy = DeliveryPolicy(lock_seconds=5, give_up_after=0.4, backoff_base=0.05, backoff_max=0.1, poll_interval=0.05)
    worker = await run_worker(session_factory, bus, messenger, settings, policy=policy)
    try:
        await eventually(lambda: any(t == events.OUTBOX_DEAD for t, _ in published), within=5)
    finally:
        await worker.stop()
    assert 2 <= len(messenger.attempts) < 20
    (item,) = await rows(session_factory, OutboxItem)
    assert item.status == "dead" and "gave up" in item.last_error
    assert (await rows(session_factory, Message))[0].delivery_status == "dead"


async def test_item_of_a_crashed_worker_is_reclaimed_after_its_lock_expires(settings, session_factory, bus):
    await queue(session_factory, "A", ["expired", "after"])
    await queue(session_factory, "B", ["held"])
    async with session_factory() as session, session.begin():
        for item in (await session.scalars(select(OutboxItem))).all():
            if item.payload["text"] in ("expired", "held"):  # claimed by a process that then died
                item.status, item.locked_by, item.attempts = "sending", "worker-dead", 1
                past = item.payload["text"] == "expired"
                item.locked_until = utcnow() + timedelta(seconds=-1 if past else 30)
    messenger = ScriptedMessenger()
    worker = await run_worker(session_factory, bus, messenger, settings)
    try:
        await eventually(lambda: len(messenger.sent) == 2)
        await asyncio.sleep(0.3)
    finally:
        await worker.stop()
    assert [p["text"] for _, p in messenger.sent] == ["expired", "after"]  # "held" is still locked


async def test_two_workers_never_send_an_item_twice_and_keep_order(settings, session_factory, bus):
    for chat in range(8):
        await queue(session_factory, f"c{chat}", [f"c{chat}-{n}" for n in range(6)])
    messenger = ScriptedMessenger({f"c{c}-2": [RetryLater("flaky")] for c in range(0, 8, 2)}, delay=0.01)
    workers = [await run_worker(session_factory, bus, messenger, settings) for _ in range(2)]
    try:
        await eventually(lambda: len(messenger.sent) == 48, within=20)
        await asyncio.sleep(0.2)
    finally:
        for worker in workers:
            await worker.stop()
    texts = [p["text"] for _, p in messenger.sent]
    assert len(texts) == len(set(texts)) == 48
    for chat in range(8):
        assert [t for t in texts if t.startswith(f"c{chat}-")] == [f"c{chat}-{n}" for n in range(6)]


async def test_worker_wakes_on_outbox_ready(settings, session_factory, bus):
    messenger = ScriptedMessenger()
    slow_poll = DeliveryPolicy(backoff_base=0.02, poll_interval=30)
    worker = await run_worker(session_factory, bus, messenger, settings, policy=slow_poll)
    try:
        await asyncio.sleep(0.1)  # the worker is now waiting for a wake-up
        await queue(session_factory, "A", ["hi"])
        await bus.publish(events.OUTBOX_READY, {"channel": "fake", "chat_id": "A"})
        await eventually(lambda: messenger.sent, within=3)
    finally:
        await worker.stop()


async def test_long_text_goes_out_in_parts_and_a_retry_does_not_repeat_sent_parts(settings, session_factory,
                                                                                  telegram):
    text = ("Параграф про доставку. " * 150 + "\n\n") * 3  # ~10 400 characters
    ids = await queue(session_factory, "1111111", [text], channel="telegram",
                      buttons=[[{"text": "OK", "data": "ok"}]], keyboard="inline")
    calls = {"n": 0}

    def fail_second_part(method, params):
        if method == "sendMessage":
            calls["n"] += 1
            if calls["n"] == 2:
                return bad_gateway()
        return None

    telegram.fault = fail_second_part
    async with telegram_delivery(settings, session_factory, telegram, policy=FAST):
        await eventually(lambda: len(telegram.sent(1111111)) == 3)
        await asyncio.sleep(0.2)
    parts = telegram.sent(1111111)
    assert len(parts) == 3 and all(len(p["text"]) <= 4096 for p in parts)
    assert "".join(p["text"] for p in parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", "")
    assert ["reply_markup" in p for p in parts] == [False, False, True]
    (message,) = [m for m in await rows(session_factory, Message) if m.id == ids[0]]
    assert message.channel_message_id == str(parts[-1]["message_id"])
    # Telegram sends no delivery receipts, so no part's id is kept for one (Viber's are: test_viber_receipts).
    assert await rows(session_factory, MessagePart, MessagePart.message_id == message.id) == []


async def test_html_telegram_cannot_parse_goes_out_as_plain_text_and_the_item_is_sent(settings, session_factory,
                                                                                       telegram):
    buttons = [[{"text": "👍", "data": "fb:x:up"}]]
    await queue(session_factory, "1111111", ["Hi <foo> & bye"], channel="telegram", html="Hi <foo> &amp; bye",
                buttons=buttons, keyboard="inline")
    # No script: the double parses the HTML as Telegram does and refuses the unknown tag.
    async with telegram_delivery(settings, session_factory, telegram, policy=FAST):
        await eventually(lambda: _outbox_statuses(session_factory, {"sent"}))
    refused, retried = (call.params for call in telegram.calls_of("sendMessage"))
    assert (refused["parse_mode"], refused["text"]) == ("HTML", "Hi <foo> &amp; bye")
    assert (retried["parse_mode"], retried["text"]) == ("HTML", "Hi &lt;foo&gt; &amp; bye")
    assert telegram.sent() == [{**retried, "message_id": telegram.sent()[0]["message_id"]}]
    assert retried["reply_markup"] == refused["reply_markup"] == {
        "inline_keyboard": [[{"text": "👍", "callback_data": "fb:x:up"}]]}
    (message,) = await rows(session_factory, Message)
    assert (message.delivery_status, message.channel_message_id) == ("sent", str(telegram.sent()[0]["message_id"]))


async def test_html_too_long_for_one_telegram_message_goes_out_as_plain_text_parts(settings, session_factory,
                                                                                   telegram):
    answer = ("**Доставка** Новою поштою за 1–2 дні, [умови](https://shop.ua/d). " * 60 + "\n\n") * 3
    text = plain_text(answer)
    await queue(session_factory, "1111111", [text], channel="telegram", html=render(answer, "telegram"),
                buttons=[[{"text": "OK", "data": "ok"}]], keyboard="inline")
    async with telegram_delivery(settings, session_factory, telegram, policy=FAST):
        await eventually(lambda: _outbox_statuses(session_factory, {"sent"}))
    parts = telegram.sent(1111111)
    assert len(parts) == 3 and all(len(p["text"]) <= 4096 and p["parse_mode"] == "HTML" for p in parts)
    assert not any("<b>" in p["text"] or "<a " in p["text"] for p in parts)
    assert "".join(p["text"] for p in parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", "")
    assert ["reply_markup" in p for p in parts] == [False, False, True]


@pytest.mark.parametrize(("sentences", "paragraphs", "parts"), [
    # 3199 characters and 3899 with the tags, but 4199 UTF-16 units: fits if Telegram counted characters.
    pytest.param(100, 1, 2, id="fits-in-characters-not-in-utf16"),
    # Paragraphs of 3519 characters (4619 units): a cut by characters at a paragraph is still too long.
    pytest.param(110, 3, 4, id="long-answer"),
])
async def test_emoji_heavy_answer_reaches_telegram_in_parts_it_accepts(settings, session_factory, telegram,
                                                                       sentences, paragraphs, parts):
    answer = ("**Доставка** 🚚📦😀🎁🙂👍🎉🛒🎈🧡 за 1–2 дні. " * sentences + "\n\n") * paragraphs
    text = plain_text(answer)
    await queue(session_factory, "1111111", [text], channel="telegram", html=render(answer, "telegram"),
                buttons=[[{"text": "OK", "data": "ok"}]], keyboard="inline")
    async with telegram_delivery(settings, session_factory, telegram, policy=FAST):
        await eventually(lambda: _outbox_statuses_in(session_factory, {"sent", "dead"}))
    assert await _outbox_statuses(session_factory, {"sent"})
    sent = telegram.sent(1111111)
    assert len(sent) == parts == len(telegram.calls_of("sendMessage"))  # none refused on the way
    assert all(utf16_length(html.unescape(p["text"])) <= 4096 for p in sent)
    rejoined = "".join(html.unescape(p["text"]) for p in sent)
    assert rejoined.replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")
    assert ["reply_markup" in p for p in sent] == [False] * (parts - 1) + [True]


async def _outbox_statuses_in(session_factory, statuses: set[str]) -> bool:
    return {item.status for item in await rows(session_factory, OutboxItem)} <= statuses


async def _outbox_statuses(session_factory, statuses: set[str]) -> bool:
    return {item.status for item in await rows(session_factory, OutboxItem)} == statuses


async def test_a_retry_after_pauses_the_channel_in_every_process(settings, session_factory, bus):
    # Found by the multi-process QA pass: only the process that got Telegram's 429 waited; the others
    # went on sending into the flood wait. Two workers on one bus stand for two processes.
    other = ScriptedMessenger()
    second = await run_worker(session_factory, bus, other, settings,
                              policy=DeliveryPolicy(backoff_base=0.02, poll_interval=30))
    try:
        await queue(session_factory, "A", ["a1"])
        told_to_wait = ScriptedMessenger({"a1": [RetryLater("429", retry_after=1.0)]})
        first = await run_worker(session_factory, bus, told_to_wait, settings)
        try:
            await eventually(lambda: told_to_wait.attempts)
        finally:
            await first.stop()
        await queue(session_factory, "B", ["b1"])
        await bus.publish(events.OUTBOX_READY, {"channel": "fake", "chat_id": "B"})
        await asyncio.sleep(0.4)
        assert other.attempts == []  # inside the flood wait the other process was told about
        await eventually(lambda: other.sent, within=5)  # and sending again once it is over
    finally:
        await second.stop()


async def test_a_pause_event_is_checked_before_it_is_obeyed(settings, session_factory, bus):
    messenger = ScriptedMessenger()
    worker = await run_worker(session_factory, bus, messenger, settings)
    try:
        for event in ({"channel": "fake", "seconds": 10**9}, {"channel": "fake", "seconds": "60"},
                      {"channel": "unknown", "seconds": 60}, {"channel": "fake", "seconds": -1}):
            await bus.publish(events.CHANNEL_PAUSED, event)
        await queue(session_factory, "A", ["a1"])
        await bus.publish(events.OUTBOX_READY, {"channel": "fake", "chat_id": "A"})
        await eventually(lambda: messenger.sent, within=3)
    finally:
        await worker.stop()
