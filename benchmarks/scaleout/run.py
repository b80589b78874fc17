"""Webhook messages → replies delivered per second with one and with two ``relaydesk serve`` processes
on the same PostgreSQL + Redis, side by side in one run, against the Telegram Bot API double.

    /work/venv/bin/python benchmarks/scaleout/run.py [--messages 400] [--shoppers 40] [--append]

Each run starts from empty tables; the webhook POSTs alternate over the processes (as a round-robin
load balancer would), each shopper's next message waits for the previous one to be accepted, and the
clock stops when every reply in the outbox has been delivered. The full flow runs (NLU, hand-off).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.channels.bench import machine  # noqa: E402
from core.database import create_engine, create_session_factory  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.conftest import clear_tables  # noqa: E402
from tests.support.backends import REDIS_URL, create_postgres_database, drop_postgres_database  # noqa: E402
from tests.support.channels import eventually  # noqa: E402
from tests.support.scaleout import ServeNode, cluster_env, outbox_settled, plan_traffic, send_traffic  # noqa: E402
from tests.support.telegram_double import TelegramDouble  # noqa: E402
from web.migrate import upgrade  # noqa: E402


async def measure(settings: Settings, telegram: TelegramDouble, processes: int, args: argparse.Namespace) -> dict:
    """Start ``processes`` servers on emptied tables, drive the traffic, time it until all replies are out."""
    await clear_tables(settings.database_url)
    nodes = [ServeNode(cluster_env(settings, telegram)) for _ in range(processes)]
    with ThreadPoolExecutor(processes) as pool:
        list(pool.map(lambda node: node.start(), nodes))
    engine = create_engine(settings)
    factory = create_session_factory(engine)
    sent_before = len(telegram.sent())
    try:
        started = time.monotonic()
        await send_traffic([node.url for node in nodes], plan_traffic(shoppers=args.shoppers, messages=args.messages))
        accepted = time.monotonic() - started
        await eventually(lambda: outbox_settled(factory), within=600)
        seconds = time.monotonic() - started
    finally:
        for node in nodes:
            node.stop()
        await engine.dispose()
    replies = len(telegram.sent()) - sent_before
    return {"processes": processes, "seconds": seconds, "accepted": accepted, "replies": replies,
            "throughput": args.messages / seconds}


def report(results: list[dict], args: argparse.Namespace, where: str) -> str:
    """The markdown block appended to benchmarks/README.md."""
    lines = [f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {args.messages} messages, {args.shoppers} shoppers", "",
             f"Machine: {where}. PostgreSQL + Redis on the same machine.", "",
             "| processes | messages → replies delivered per s | all webhooks accepted after s | "
             "all replies delivered after s | replies |",
             "| ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r['processes']} | {r['throughput']:.1f} | {r['accepted']:.1f} | {r['seconds']:.1f} | "
                     f"{r['replies']} |")
    return "\n".join(lines) + "\n"


async def run(args: argparse.Namespace) -> list[dict]:
    """Both measurements on one throw-away database."""
    database_url = await create_postgres_database()
    try:
        settings = Settings(database_url=database_url, redis_url=REDIS_URL,
                            redis_prefix=f"rdbench-{uuid.uuid4().hex[:8]}", _env_file=None)
        await asyncio.to_thread(upgrade, settings)
        with TelegramDouble() as telegram:
            return [await measure(settings, telegram, processes, args) for processes in (1, 2)]
    finally:
        await drop_postgres_database(database_url)


def main() -> None:
    """Measure one and two processes and print (and optionally append) the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--shoppers", type=int, default=40)
    parser.add_argument("--append", action="store_true", help="append the results under ## Scale-out")
    args = parser.parse_args()
    where = machine()
    text = report(asyncio.run(run(args)), args, where)
    print(text)
    if args.append:
        readme = Path(__file__).resolve().parents[1] / "README.md"
        existing = readme.read_text()
        if "## Scale-out" not in existing:
            existing = existing.rstrip("\n") + "\n\n## Scale-out\n\n" + INTRO
        readme.write_text(existing.rstrip("\n") + "\n\n" + text)


INTRO = (
    "`benchmarks/scaleout/run.py`: Telegram webhook messages → replies delivered per second with one and with "
    "two `relaydesk serve` processes sharing one PostgreSQL database and one Redis, measured in the same run "
    "against the Bot API double. Webhook POSTs alternate over the processes; the clock stops when the outbox "
    "is empty. Run: `/work/venv/bin/python benchmarks/scaleout/run.py --append`.\n"
)


if __name__ == "__main__":
    main()
