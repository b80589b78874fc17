"""Several ``relaydesk serve`` processes on one PostgreSQL + Redis, fed with Telegram webhook traffic.

Used by the scale-out integration tests and by ``benchmarks/scaleout``::

    with TelegramDouble() as telegram:
        node = ServeNode(cluster_env(settings, telegram))
        node.start()
        await send_traffic([node.url], plan_traffic(shoppers=10, messages=100))
        node.kill()
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx
from sqlalchemy import func, select

from bots.text_split import split_text, utf16_length
from core.models import Message, OutboxItem
from core.settings import Settings
from tests.support import telegram_payloads as tp
from tests.support.channels import TELEGRAM_WEBHOOK, WEBHOOK_SECRET
from tests.support.cli import REPO_ROOT
from tests.support.server import free_port
from tests.support.telegram_double import TelegramDouble

TELEGRAM_LIMIT = 4096
FIRST_SHOPPER_ID = 5_000_000
STARTUP_TIMEOUT = 120.0  # the server loads the NLU model first; a busy 2-core machine is slow at it


def cluster_env(settings: Settings, telegram: TelegramDouble, **extra: str) -> dict[str, str]:
    """The environment every process of one installation shares: database, Redis prefix, Telegram.

    The per-shopper rate limit is raised so that load tests exercise delivery, not throttling.
    """
    env = {
        "RELAYDESK_DATABASE_URL": settings.database_url, "RELAYDESK_SECRET_KEY": "scaleout-test",
        "RELAYDESK_TELEGRAM_TOKEN": telegram.token, "RELAYDESK_TELEGRAM_API_URL": telegram.url,
        "RELAYDESK_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET, "RELAYDESK_RUN_WORKERS": "true",
        "RELAYDESK_OUTBOX_LOCK_SECONDS": "20", "RELAYDESK_LOG_LEVEL": "WARNING",
        "RELAYDESK_SHOPPER_BURST": "100000", "RELAYDESK_SHOPPER_RATE_PER_MINUTE": "100000",
    }
    if settings.redis_url:
        env.update(RELAYDESK_REDIS_URL=settings.redis_url, RELAYDESK_REDIS_PREFIX=settings.redis_prefix)
    env.update(extra)
    return env


@dataclass
class ServeNode:
    """One ``relaydesk serve`` process on a fixed port, so it can be killed and started again there."""

    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_path: str = field(default_factory=lambda: tempfile.mkstemp(prefix="relaydesk-serve-", suffix=".log")[1])

    @property
    def url(self) -> str:
        """The node's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Start the process and wait until ``/health`` answers."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("RELAYDESK_")}
        env.update(PYTHONPATH=str(REPO_ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", **self.env)
        # Logs go to a file: a pipe nobody reads would block the server once its buffer is full.
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from web.cli import main; main()", "serve", "--port", str(self.port)],
                env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=log,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                error = self.log()[-3000:]
                raise RuntimeError(f"relaydesk serve did not start in {timeout:.0f}s: {error}")
            time.sleep(0.2)

    def log(self) -> str:
        """What the process (and its earlier runs) wrote to stderr."""
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            return log.read()

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, claimed outbox items stay locked."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM and wait (SIGKILL after 20 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass(frozen=True)
class Planned:
    """One webhook delivery: the Update, and whether it is also sent to a second process at once."""

    shopper: int
    update: dict
    duplicated: bool


def plan_traffic(*, shoppers: int, messages: int, duplicate_every: int = 0) -> list[list[Planned]]:
    """Per shopper, the Updates they send in order (``messages`` in all, round-robin over shoppers).

    Every ``duplicate_every``-th Update (0 = none) is delivered to two processes at the same time,
    as Telegram does when it retries an update whose first delivery looked failed.
    """
    plans: list[list[Planned]] = [[] for _ in range(shoppers)]
    for n in range(messages):
        shopper = n % shoppers
        user_id = FIRST_SHOPPER_ID + shopper
        update = tp.text_update(f"where is my order {n}?", user_id, update_id=tp.next_update_id())
        plans[shopper].append(Planned(user_id, update, bool(duplicate_every) and n % duplicate_every == 0))
    return plans


@dataclass(frozen=True)
class Attempt:
    """One POST of an Update: when (``time.monotonic()``), and its status or the client error's name."""

    update_id: int
    at: float
    outcome: int | str

    @property
    def accepted(self) -> bool:
        """Whether the process answered 200 (Telegram stops retrying the Update)."""
        return self.outcome == 200


async def send_traffic(urls: list[str], plans: list[list[Planned]], *, concurrency: int = 32,
                       retry_for: float = 180.0, attempts: list[Attempt] | None = None) -> int:
    """POST every planned Update, alternating over ``urls``; a shopper's next Update waits for the last.

    An Update whose process is down (connection refused, reset, 5xx) is sent again to the next
    process, as Telegram retries until it gets a 2xx. Every POST is appended to ``attempts`` when
    given. Returns how many POSTs were answered 200.
    """
    turn = itertools.count()
    gate = asyncio.Semaphore(concurrency)
    answered = 0

    async def post(client: httpx.AsyncClient, update: dict, first: int) -> None:
        nonlocal answered
        deadline = time.monotonic() + retry_for
        for attempt in itertools.count():
            url = urls[(first + attempt) % len(urls)]
            at = time.monotonic()
            try:
                response = await client.post(f"{url}{TELEGRAM_WEBHOOK}", json=update,
                                             headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
                outcome: int | str = response.status_code
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            if attempts is not None:
                attempts.append(Attempt(update["update_id"], at, outcome))
            if outcome == 200:
                answered += 1
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"update {update['update_id']} was never accepted")
            await asyncio.sleep(0.1)

    async def shopper(client: httpx.AsyncClient, plan: list[Planned]) -> None:
        for planned in plan:
            first = next(turn)
            async with gate:
                if planned.duplicated:
                    await asyncio.gather(post(client, planned.update, first), post(client, planned.update, first + 1))
                else:
                    await post(client, planned.update, first)

    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await asyncio.gather(*(shopper(client, plan) for plan in plans))
    return answered


async def sending_per_chat(session_factory) -> dict[str, int]:
    """Outbox items being sent right now, per chat (a process killed now leaves these unrecorded)."""
    async with session_factory() as session:
        rows = (await session.execute(select(OutboxItem.chat_id, func.count()).where(OutboxItem.status == "sending")
                                      .group_by(OutboxItem.chat_id))).all()
    return {chat: count for chat, count in rows}


async def sent_out_of_order(session_factory) -> list[int]:
    """Outbox items recorded as sent before an earlier item of the same chat (ids), if any."""
    async with session_factory() as session:
        rows = (await session.execute(select(OutboxItem.id, OutboxItem.chat_id, OutboxItem.sent_at)
                                      .where(OutboxItem.status == "sent").order_by(OutboxItem.id))).all()
    last_sent: dict[str, object] = {}
    late = []
    for item_id, chat_id, sent_at in rows:
        if chat_id in last_sent and sent_at < last_sent[chat_id]:
            late.append(item_id)
        last_sent[chat_id] = sent_at
    return late


async def outbox_settled(session_factory) -> bool:
    """Whether no outbox item is waiting or being sent."""
    async with session_factory() as session:
        return not await session.scalar(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.status.in_(("pending", "sending"))))


@dataclass
class DeliveryCheck:
    """What the database stored and what the Bot API double received, per chat."""

    inbound_per_update: dict[str, int]
    expected_per_chat: dict[str, list[str]]  # the out messages' texts as the double must get them
    received_per_chat: dict[str, list[str]]
    outbox_statuses: dict[str, int]

    @property
    def mismatched_chats(self) -> list[str]:
        """Chats whose received replies are not exactly the stored replies in order."""
        chats = set(self.expected_per_chat) | set(self.received_per_chat)
        return sorted(chat for chat in chats
                      if self.expected_per_chat.get(chat, []) != self.received_per_chat.get(chat, []))

    def resent_beyond(self, in_flight: dict[str, int]) -> list[str]:
        """Mismatched chats not explained by resending what a killed process was sending.

        Telegram has no idempotency key: a reply the Bot API accepted just before its sender was
        killed, and not yet recorded as sent, goes out again once its claim expires. Such a chat's
        received replies are the stored ones plus at most one extra per item then in flight.
        """
        return [chat for chat in self.mismatched_chats
                if not _is_subsequence(self.expected_per_chat.get(chat, []), self.received_per_chat.get(chat, []))
                or len(self.received_per_chat.get(chat, [])) - len(self.expected_per_chat.get(chat, []))
                > in_flight.get(chat, 0)]

    def describe(self, chats: list[str]) -> str:
        """Expected and received replies of ``chats``, for a failure message."""
        return "\n".join(f"chat {chat}:\n  stored:   {self.expected_per_chat.get(chat, [])}\n"
                         f"  received: {self.received_per_chat.get(chat, [])}" for chat in chats)


async def check_delivery(session_factory, telegram: TelegramDouble) -> DeliveryCheck:
    """Compare the stored messages with the double's successful sendMessage calls."""
    async with session_factory() as session:
        inbound = (await session.execute(
            select(Message.dedup_key, func.count()).where(Message.direction == "in").group_by(Message.dedup_key)
        )).all()
        outgoing = (await session.scalars(
            select(Message).where(Message.direction == "out", Message.channel == "telegram").order_by(Message.id)
        )).all()
        statuses = (await session.execute(
            select(OutboxItem.status, func.count()).group_by(OutboxItem.status))).all()
    expected: dict[str, list[str]] = defaultdict(list)
    for message in outgoing:
        # The worker splits long texts at Telegram's limit and the messenger sends them as escaped HTML (this
        # traffic gets no knowledge-base answers, so no message carries html).
        expected[message.chat_id].extend(html.escape(part, quote=False)
                                         for part in split_text(message.text or "", TELEGRAM_LIMIT, utf16_length))
    received: dict[str, list[str]] = defaultdict(list)
    for params in telegram.sent():
        received[str(params["chat_id"])].append(params["text"])
    return DeliveryCheck({key: count for key, count in inbound}, dict(expected), dict(received), dict(statuses))


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    remaining = iter(long)
    return all(any(item == candidate for candidate in remaining) for item in short)


async def frames_until(socket, predicate, within: float) -> dict:
    """The first JSON frame of a console socket (``/api/ws``) that ``predicate`` accepts, within ``within`` s."""
    async with asyncio.timeout(within):
        while True:
            frame = json.loads(await socket.recv())
            if predicate(frame):
                return frame
