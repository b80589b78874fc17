"""Hand-off latency: a shopper's "Talk to a person" webhook → the console's WebSocket event.

Starts real ``relaydesk serve`` processes on PostgreSQL and Redis with Telegram pointed at the local
Bot API double, signs an agent in, opens the console socket on the first process and posts each
shopper's press to the first process (one-process case) or to the second one (two processes: the
event crosses Redis). Prints one JSON line per case and a Markdown table.

    /work/venv/bin/python -m benchmarks.handoff.run [--shoppers 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from contextlib import ExitStack

import httpx
from websockets.asyncio.client import connect

from tests.support import telegram_payloads as tg
from tests.support.backends import REDIS_URL, create_postgres_database, drop_postgres_database
from tests.support.cli import run_cli
from tests.support.server import serve
from tests.support.telegram_double import TelegramDouble

SECRET = "bench-webhook-secret"  # noqa: S105 - a throw-away value for the local double
AGENT = ("bench-agent@shop.ua", "bench-password-1")  # a throw-away account in a throw-away database


def _cli(env: dict, *args: str) -> None:
    result = run_cli(*args, env=env)
    if result.returncode:
        raise RuntimeError(f"relaydesk {' '.join(args)} failed: {result.stderr}")


async def _measure(console: str, entry: str, shoppers: int, first_user: int) -> list[float]:
    async with httpx.AsyncClient(timeout=10) as http:
        login = await http.post(f"{console}/api/auth/login", json={"email": AGENT[0], "password": AGENT[1]})
        token = login.json()["token"]
        latencies = []
        async with connect(f"{console.replace('http', 'ws', 1)}/api/ws?token={token}") as socket:
            json.loads(await socket.recv())  # hello
            for user in range(first_user, first_user + shoppers):
                started = time.perf_counter()
                response = await http.post(f"{entry}/webhooks/telegram",
                                           json=tg.callback_update("handoff:request", user_id=user),
                                           headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                response.raise_for_status()
                while True:
                    frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
                    if frame["topic"] == "conversation.updated" and frame["event"].get("change") == "handoff":
                        latencies.append((time.perf_counter() - started) * 1000)
                        break
    return latencies


def _summary(case: str, latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    return {"case": case, "shoppers": len(ordered), "p50_ms": round(statistics.median(ordered), 1),
            "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1], 1), "max_ms": round(ordered[-1], 1)}


def main() -> None:
    """Run both cases and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shoppers", type=int, default=40)
    args = parser.parse_args()
    database_url = asyncio.run(create_postgres_database())
    try:
        with TelegramDouble() as telegram, ExitStack() as stack:
            env = dict(RELAYDESK_DATABASE_URL=database_url, RELAYDESK_REDIS_URL=REDIS_URL,
                       RELAYDESK_REDIS_PREFIX=f"bench-{os.getpid()}", RELAYDESK_SECRET_KEY="bench",  # noqa: S106
                       RELAYDESK_TELEGRAM_TOKEN=telegram.token, RELAYDESK_TELEGRAM_API_URL=telegram.url,
                       RELAYDESK_TELEGRAM_WEBHOOK_SECRET=SECRET, RELAYDESK_LOG_LEVEL="WARNING")
            _cli(env, "db", "upgrade")
            _cli(env, "users", "create", "--email", AGENT[0], "--password", AGENT[1], "--role", "agent")
            first = stack.enter_context(serve(env)).url
            second = stack.enter_context(serve(env)).url
            results = [
                _summary("one process", asyncio.run(_measure(first, first, args.shoppers, 5_000_000))),
                _summary("two processes (Redis)", asyncio.run(_measure(first, second, args.shoppers, 6_000_000))),
            ]
    finally:
        asyncio.run(drop_postgres_database(database_url))
    for result in results:
        print(json.dumps(result))
    print("\n| case | shoppers | p50 ms | p90 ms | max ms |\n| --- | --- | --- | --- | --- |")
    for r in results:
        print(f"| {r['case']} | {r['shoppers']} | {r['p50_ms']} | {r['p90_ms']} | {r['max_ms']} |")


if __name__ == "__main__":
    main()
