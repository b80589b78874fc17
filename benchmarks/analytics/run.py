"""Benchmark: the analytics summary and page on 100,000 generated conversations.

Usage (from the repository root)::

    python -m benchmarks.analytics.run --backend sqlite --backend postgres [--conversations 100000]

Each backend gets a fresh database (a temporary SQLite file; a throw-away PostgreSQL database on
``RELAYDESK_TEST_POSTGRES_URL``, default ``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``),
migrated, filled by :mod:`benchmarks.analytics.generate`, then the summary is computed several times
for a 30-day and a 90-day period and the page is fetched through the app. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from litestar.testing import AsyncTestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from benchmarks.analytics.generate import generate  # noqa: E402
from core.accounts import issue_token  # noqa: E402
from core.database import create_engine, create_session_factory, utcnow  # noqa: E402
from core.models import StaffUser  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.support.backends import create_postgres_database, drop_postgres_database  # noqa: E402
from web.analytics.period import parse_query  # noqa: E402
from web.analytics.queries import summary  # noqa: E402
from web.app import create_app  # noqa: E402
from web.migrate import upgrade  # noqa: E402

RUNS = 5


async def _time(action, runs: int = RUNS) -> tuple[float, float]:
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        await action()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), min(durations)


async def bench(url: str, conversations: int) -> dict:
    settings = Settings(database_url=url, secret_key="bench-" + "0" * 32, run_workers=False,  # noqa: S106
                        _env_file=None)
    await asyncio.to_thread(upgrade, settings)
    engine = create_engine(settings)
    factory = create_session_factory(engine)
    started = time.perf_counter()
    counts = await generate(factory, conversations=conversations, days=90)
    generated_s = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load; without statistics the planner guesses.
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    today = utcnow().date()
    results = {"backend": engine.dialect.name, "generated_s": generated_s, **counts}
    for days in (30, 90):
        query = parse_query((today - timedelta(days=days - 1)).isoformat(), today.isoformat())

        async def run_summary(query=query):
            async with factory() as session:
                return await summary(session, query)

        figures = await run_summary()
        results[f"summary_{days}d"] = await _time(run_summary)
        results[f"conversations_{days}d"] = figures["conversations"]
    async with factory() as session, session.begin():
        supervisor = await session.get(StaffUser, 1)
        secret = (await issue_token(session, supervisor, kind="session", ttl=timedelta(hours=1))).secret
    await engine.dispose()
    async with AsyncTestClient(app=create_app(settings)) as client:
        client.cookies.set("relaydesk_session", secret)

        async def fetch_page():
            response = await client.get("/console/analytics", params={"from": (today - timedelta(days=29)).isoformat(),
                                                                      "to": today.isoformat()})
            assert response.status_code == 200, response.status_code

        results["page_30d"] = await _time(fetch_page, runs=3)
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--conversations", type=int, default=100_000)
    args = parser.parse_args()
    rows = []
    for backend in args.backend or ["sqlite", "postgres"]:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as directory:
                rows.append(await bench(f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}", args.conversations))
        else:
            url = await create_postgres_database()
            try:
                rows.append(await bench(url, args.conversations))
            finally:
                await drop_postgres_database(url)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; median (min) of {RUNS} runs, page of 3")
    print("| backend | conversations (messages, events) | generate | summary 30 days | summary 90 days "
          "| page 30 days |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        cells = [f"{r[k][0] * 1000:.0f} ms ({r[k][1] * 1000:.0f})" for k in ("summary_30d", "summary_90d", "page_30d")]
        print(f"| {r['backend']} | {r['conversations']:,} ({r['messages']:,}, {r['events']:,}); "
              f"30 d: {r['conversations_30d']:,} | {r['generated_s']:.0f} s | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    asyncio.run(main())
