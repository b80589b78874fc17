"""`relaydesk serve` killed with SIGKILL between accepting a webhook and sending the reply: after a
restart the reply still goes out, once."""

import asyncio
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import select

from core.models import Message, OutboxItem
from tests.support import telegram_payloads as tp
from tests.support.channels import TELEGRAM_WEBHOOK, WEBHOOK_SECRET
from tests.support.cli import REPO_ROOT
from tests.support.live_server import free_port
from tests.support.telegram_double import hang_forever

pytestmark = pytest.mark.slow


def start_serve(settings, telegram, port: int, log_path) -> subprocess.Popen:
    """``relaydesk serve`` with the worker on and a short lock; its log goes to ``log_path`` (a pipe
    nobody reads could fill up and stall the server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAYDESK_")}
    env.update(PYTHONPATH=str(REPO_ROOT), RELAYDESK_DATABASE_URL=settings.database_url,
               RELAYDESK_SECRET_KEY="crash-test", RELAYDESK_TELEGRAM_TOKEN=telegram.token,
               RELAYDESK_TELEGRAM_API_URL=telegram.url, RELAYDESK_TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
               RELAYDESK_RUN_WORKERS="true", RELAYDESK_OUTBOX_LOCK_SECONDS="4", RELAYDESK_LOG_LEVEL="WARNING")
    if settings.redis_url:
        env.update(RELAYDESK_REDIS_URL=settings.redis_url, RELAYDESK_REDIS_PREFIX=settings.redis_prefix)
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-c", "from web.cli import main; main()", "serve", "--port",
                                    str(port)], env=env, cwd=REPO_ROOT, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"relaydesk serve did not start: {log_path.read_text()[-2000:]}")
        time.sleep(0.1)


async def test_reply_goes_out_after_sigkill_and_restart(settings, telegram, session_factory, tmp_path):
    telegram.script("sendMessage", hang_forever())  # the Bot API stalls on the first reply
    port = free_port()
    first = start_serve(settings, telegram, port, tmp_path / "serve.log")
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(f"http://127.0.0.1:{port}{TELEGRAM_WEBHOOK}", json=tp.text_update("Привіт"),
                                         headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
        assert response.status_code == 200
        await telegram.wait_for_async(lambda: telegram.calls_of("sendMessage"), within=15)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    async with session_factory() as session:
        (item,) = (await session.scalars(select(OutboxItem))).all()
        assert item.status == "sending"  # claimed by the killed process, never finished
        assert telegram.delivered == []

    second = start_serve(settings, telegram, port, tmp_path / "serve.log")
    try:
        await telegram.wait_for_async(lambda: telegram.delivered, within=30)
        await asyncio.sleep(0.5)  # nothing more goes out
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
    assert len(telegram.delivered) == 1
    assert telegram.delivered[0]["chat_id"] == str(tp.USER_ID)
    async with session_factory() as session:
        statuses = [(m.direction, m.delivery_status) for m in
                    (await session.scalars(select(Message).order_by(Message.id))).all()]
        assert statuses == [("in", "received"), ("out", "sent")]
        assert (await session.scalar(select(OutboxItem))).status == "sent"
