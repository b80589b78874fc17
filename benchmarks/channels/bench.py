"""Webhook → reply throughput and latency of Relaydesk's Telegram channel, next to a bare aiogram
webhook echo bot, both against the Telegram Bot API double, measured in the same run.

    /work/venv/bin/python benchmarks/channels/bench.py [--messages 400] [--chats 20] [--postgres]
        [--baseline NAME=CHECKOUT ...] [--rounds 1] [--append]

Each of ``--chats`` simulated shoppers sends its messages one after another (as Telegram delivers
a chat's updates in order), all chats at once. Latency is from the start of the webhook POST to
the moment the double receives the bot's sendMessage for that message; throughput is messages
answered per second over the whole run. Relaydesk runs as ``relaydesk serve`` (uvicorn, SQLite,
the delivery worker in the same process) with the placeholder answer step, so the numbers cover
the channel, the inbound flow's transaction and the outbox, not the NLU.

``--baseline before=/tmp/old`` adds a Relaydesk server run from another checkout (say, the commit before
a change), and ``--rounds`` repeats the whole line-up, so a change's effect is a ratio measured side by
side in one run rather than against figures from another day's load. Every Relaydesk server starts on a
fresh database of its own (a new SQLite file, or with ``--postgres`` a throw-away PostgreSQL database).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.support import telegram_payloads as tp  # noqa: E402
from tests.support.backends import create_postgres_database, drop_postgres_database  # noqa: E402
from tests.support.live_server import free_port  # noqa: E402
from tests.support.telegram_double import TelegramDouble  # noqa: E402

SECRET = "bench-secret"


def start(command: list[str], env: dict[str, str], port: int, cwd: Path = ROOT) -> subprocess.Popen:
    """Start a server process and wait for its /health."""
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{command} did not start")


def relaydesk(telegram: TelegramDouble, port: int, database_url: str, burst: int,
              checkout: Path = ROOT) -> subprocess.Popen:
    """``relaydesk serve`` of ``checkout`` with Telegram pointed at the double.

    ``checkout`` goes first on the server's PYTHONPATH, ahead of the venv's install, so a baseline runs
    its own code with the same interpreter and dependencies. ``burst``: the shopper message budget
    (``SHOPPER_BURST``); the benchmark's shoppers send faster than any person, and a throttled message
    gets no reply, so the budget must cover a whole chat's messages.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAYDESK_")}
    env.update(PYTHONPATH=str(checkout), RELAYDESK_DATABASE_URL=database_url, RELAYDESK_SECRET_KEY="bench",
               RELAYDESK_TELEGRAM_TOKEN=telegram.token, RELAYDESK_TELEGRAM_API_URL=telegram.url,
               RELAYDESK_TELEGRAM_WEBHOOK_SECRET=SECRET, RELAYDESK_LOG_LEVEL="WARNING",
               RELAYDESK_SHOPPER_BURST=str(burst))
    return start([sys.executable, "-c", "from web.cli import main; main()", "serve", "--port", str(port)], env, port,
                 checkout)


def echo_bot(telegram: TelegramDouble, port: int) -> subprocess.Popen:
    """The bare aiogram echo bot."""
    script = str(Path(__file__).with_name("echo_bot.py"))
    return start([sys.executable, script, "--port", str(port), "--api", telegram.url, "--token", telegram.token,
                  "--secret", SECRET], dict(os.environ), port)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (comparable even on a busy machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive(url: str, telegram: TelegramDouble, messages: int, chats: int, first_user: int) -> dict:
    """Send the load and wait for every reply; returns throughput and latency figures."""
    per_chat = messages // chats
    started: dict[int, list[float]] = defaultdict(list)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    before = len(telegram.calls_of("sendMessage"))

    async def shopper(client: httpx.AsyncClient, user_id: int) -> None:
        for n in range(per_chat):
            started[user_id].append(time.monotonic())
            response = await client.post(url, json=tp.text_update(f"message {n}", user_id=user_id), headers=headers)
            response.raise_for_status()

    limits = httpx.Limits(max_connections=chats)
    begin = time.monotonic()
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        await asyncio.gather(*(shopper(client, first_user + c) for c in range(chats)))
    total = per_chat * chats
    await telegram.wait_for_async(lambda: len(telegram.calls_of("sendMessage")) - before >= total, within=300)
    replies: dict[int, list[float]] = defaultdict(list)
    for call in telegram.calls_of("sendMessage")[before:]:
        replies[int(call.params["chat_id"])].append(call.at)
    elapsed = max(at for times in replies.values() for at in times) - begin
    # Replies keep each chat's order, so the k-th reply of a chat answers its k-th message.
    latencies = sorted((replies[user][k] - started[user][k]) * 1000 for user in started for k in range(per_chat))
    return {"messages": total, "seconds": elapsed, "throughput": total / elapsed,
            "p50": statistics.median(latencies), "p95": latencies[int(0.95 * (len(latencies) - 1))],
            "p99": latencies[int(0.99 * (len(latencies) - 1))]}


def measure(process: subprocess.Popen, url: str, telegram: TelegramDouble, args: argparse.Namespace,
            first_user: int) -> dict:
    """Drive one bot and add the CPU time its server process spent per message."""
    before = cpu_seconds(process.pid)
    result = asyncio.run(drive(url, telegram, args.messages, args.chats, first_user))
    result["cpu_ms"] = (cpu_seconds(process.pid) - before) * 1000 / result["messages"]
    return result


def machine() -> str:
    """One line describing this machine."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    return (f"{os.cpu_count()} cores ({cpu}), {memory_gb:.0f} GB RAM, Python {platform.python_version()}, "
            f"load average {load:.1f} at start")


def report(results: list[tuple[str, dict]], args: argparse.Namespace, where: str) -> str:
    """The markdown block appended to benchmarks/README.md."""
    database = "a fresh PostgreSQL database per server" if args.postgres else "a fresh SQLite file per server"
    lines = [f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {args.messages} messages, {args.chats} chats", "",
             f"Machine: {where}. Database: {database}.", "",
             "| bot | msgs/s | p50 ms | p95 ms | p99 ms | total s | server CPU ms/msg |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, r in results:
        lines.append(f"| {name} | {r['throughput']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | "
                     f"{r['seconds']:.1f} | {r['cpu_ms']:.1f} |")
    return "\n".join(lines) + "\n"


def checkouts(baselines: list[str]) -> list[tuple[str, Path]]:
    """The Relaydesk servers to run: each ``NAME=PATH`` baseline, then this checkout."""
    servers = []
    for baseline in baselines:
        name, separator, path = baseline.partition("=")
        if not separator or not (Path(path) / "web" / "cli.py").is_file():
            raise SystemExit(f"--baseline wants NAME=PATH of a Relaydesk checkout, not {baseline!r}")
        servers.append((f"Relaydesk {name} ({path})", Path(path).resolve()))
    return [*servers, ("Relaydesk (stored, flow, outbox worker)", ROOT)]


def run_relaydesk(telegram: TelegramDouble, args: argparse.Namespace, checkout: Path, tmp: str,
                  first_user: int) -> dict:
    """One Relaydesk server of ``checkout`` on a fresh database, driven and stopped."""
    database_url = (asyncio.run(create_postgres_database()) if args.postgres
                    else f"sqlite+aiosqlite:///{tempfile.mkdtemp(dir=tmp)}/bench.db")
    port = free_port()
    process = relaydesk(telegram, port, database_url, args.messages, checkout)
    try:
        return measure(process, f"http://127.0.0.1:{port}/webhooks/telegram", telegram, args, first_user)
    finally:
        process.terminate()
        process.wait(30)
        if args.postgres:
            asyncio.run(drop_postgres_database(database_url))


def run_echo_bot(telegram: TelegramDouble, args: argparse.Namespace, first_user: int) -> dict:
    """The bare echo bot, driven and stopped."""
    port = free_port()
    process = echo_bot(telegram, port)
    try:
        return measure(process, f"http://127.0.0.1:{port}/webhook", telegram, args, first_user)
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    """Run every bot against one double and print (and optionally append) the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--postgres", action="store_true",
                        help="PostgreSQL (RELAYDESK_TEST_POSTGRES_URL's server) instead of SQLite files")
    parser.add_argument("--baseline", action="append", default=[], metavar="NAME=PATH",
                        help="also run the Relaydesk of another checkout, e.g. before=/tmp/relaydesk-old")
    parser.add_argument("--rounds", type=int, default=1, help="run the whole line-up this many times")
    parser.add_argument("--append", action="store_true", help="append the results to benchmarks/README.md")
    args = parser.parse_args()
    servers = checkouts(args.baseline)
    where = machine()
    results = []
    first_user = 0  # every run's shoppers get their own ids, so the double's replies never mix
    with TelegramDouble() as telegram, tempfile.TemporaryDirectory() as tmp:
        for round_number in range(1, args.rounds + 1):
            label = f" — round {round_number}" if args.rounds > 1 else ""
            first_user += 100_000
            results.append((f"bare aiogram echo bot (webhook, reply inside the request){label}",
                            run_echo_bot(telegram, args, first_user)))
            for name, checkout in servers:
                first_user += 100_000
                results.append((f"{name}{label}", run_relaydesk(telegram, args, checkout, tmp, first_user)))
    text = report(results, args, where)
    print(text)
    if args.append:
        readme = Path(__file__).resolve().parents[1] / "README.md"
        existing = readme.read_text() if readme.exists() else "# Benchmarks\n"
        if "## Channels" not in existing:
            existing = existing.rstrip("\n") + "\n\n## Channels\n\n" + CHANNELS_INTRO
        readme.write_text(existing.rstrip("\n") + "\n\n" + text)


CHANNELS_INTRO = (
    "`benchmarks/channels/bench.py`: Telegram webhook → reply throughput and latency of Relaydesk next to a "
    "bare aiogram webhook echo bot (`benchmarks/channels/echo_bot.py`), both against the Bot API double of "
    "`tests/support/telegram_double.py`, in the same run. Latency runs from the start of the webhook POST to the "
    "double receiving the reply. The echo bot answers inside the webhook request and stores nothing; Relaydesk "
    "stores the update, runs the flow and writes the reply to the outbox in one transaction before answering "
    "200, and its delivery worker sends the reply. The server's CPU time per message is the fairer comparison when "
    "the machine is busy (wall-clock figures include waiting for the CPU). Run: "
    "`/work/venv/bin/python benchmarks/channels/bench.py --append`.\n"
)


if __name__ == "__main__":
    main()
