"""Benchmark: `relaydesk customers import` throughput, one record at a time next to the bulk path.

Usage (from the repository root; needs PostgreSQL on 127.0.0.1:5432 for ``--backend postgres``)::

    python benchmarks/customers/run.py --customers 5000 --backend sqlite --backend postgres

Generates ``--customers`` synthetic customers with orders (seeded, so every run imports the same
file) as a JSON export, then for each backend and each path imports it into a fresh database twice:
into the empty database, then the same file again (every row exists and nothing changes). Both
paths read and validate the file the same way and refresh the derived figures once at the end:

- ``per-record``: ``upsert_customer`` for each record, the way the import ran before it was bulk;
- ``bulk``: ``import_records``, chunks of records with a fixed number of statements each.

The script imports only ``core``, ``tests.support`` and ``web`` modules that predate the bulk
import, so pointing ``PYTHONPATH`` at an older checkout measures that checkout's code.
Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from core.customers.figures import refresh_figures  # noqa: E402
from core.customers.importer import import_records, read_source, validate  # noqa: E402
from core.customers.service import upsert_customer  # noqa: E402
from core.database import create_engine, create_session_factory  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.support.backends import create_postgres_database, drop_postgres_database  # noqa: E402
from web.migrate import upgrade  # noqa: E402
from web.models_registry import register_all_models  # noqa: E402

STATUSES = ("new", "processing", "shipped", "delivered", "delivered", "delivered", "cancelled")
EPOCH = datetime(2026, 11, 1, tzinfo=UTC)


def generate(customers: int, seed: int) -> list[dict]:
    """``customers`` shop customers in the import shape, 0-5 orders each (2.5 on average)."""
    rng = random.Random(seed)
    records = []
    order_number = 100_000
    for i in range(customers):
        orders = []
        for _ in range(rng.randint(0, 5)):
            order_number += 1
            orders.append({
                "number": str(order_number), "status": rng.choice(STATUSES),
                "total": f"{rng.randint(100, 900_000) / 100:.2f}", "currency": "UAH",
                "created_at": (EPOCH - timedelta(minutes=rng.randint(0, 365 * 24 * 60))).isoformat(),
                "tracking": str(rng.randint(10**13, 10**14 - 1)) if rng.random() < 0.5 else None,
            })
        records.append({
            "external_id": f"shop-{i}", "name": f"Customer {i}",
            "phones": [f"+38050{rng.randint(0, 9_999_999):07d}" for _ in range(rng.randint(1, 2))],
            "emails": [f"c{i}@example.com"] if rng.random() < 0.8 else [],
            "tags": ["vip"] if rng.random() < 0.05 else [],
            "orders": orders,
        })
    return records


async def per_record(session, settings, records) -> None:
    """The import as it ran before the bulk path: one upsert per customer, figures once."""
    for record in records:
        await upsert_customer(session, record)
    await refresh_figures(session, settings)


async def bulk(session, settings, records) -> None:
    """The import as `relaydesk customers import` runs it now."""
    await import_records(session, settings, records)


PATHS = {"per-record": per_record, "bulk": bulk}


async def run_path(url: str, path: Path, name: str) -> list[dict]:
    """Import ``path`` twice into the empty database at ``url``; the timings of each run."""
    settings = Settings(database_url=url, secret_key="bench-" + "0" * 32, run_workers=False,  # noqa: S106
                        _env_file=None)
    await asyncio.to_thread(upgrade, settings)
    engine = create_engine(settings)
    factory = create_session_factory(engine)
    results = []
    try:
        for run in ("empty database", "same file again"):
            started = time.perf_counter()
            async with factory() as session, session.begin():
                records = await validate(session, read_source(path), region=settings.phone_region,
                                         currency=settings.shop_currency)
                validated = time.perf_counter()
                await PATHS[name](session, settings, records)
            finished = time.perf_counter()
            results.append({"backend": engine.dialect.name, "path": name, "run": run, "customers": len(records),
                            "orders": sum(len(r.orders) for r in records),
                            "validate_s": validated - started, "write_s": finished - validated,
                            "total_s": finished - started})
    finally:
        await engine.dispose()
    return results


async def run_backend(backend: str, path: Path, paths: list[str]) -> list[dict]:
    """Every path on a fresh database of ``backend``."""
    results = []
    for name in paths:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as directory:
                results += await run_path(f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}", path, name)
        else:
            url = await create_postgres_database()
            try:
                results += await run_path(url, path, name)
            finally:
                await drop_postgres_database(url)
    return results


def table(results: list[dict]) -> str:
    """The results as Markdown, with each bulk run's speed-up over the per-record run of its kind."""
    per_record_s = {(r["backend"], r["run"]): r["total_s"] for r in results if r["path"] == "per-record"}
    lines = ["| backend | run | path | customers (orders) | validate s | write + figures s | total s "
             "| customers/s | speed-up |", "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        baseline = per_record_s.get((r["backend"], r["run"]))
        ratio = f"{baseline / r['total_s']:.1f}x" if r["path"] == "bulk" and baseline else ""
        lines.append(f"| {r['backend']} | {r['run']} | {r['path']} | {r['customers']:,} ({r['orders']:,}) "
                     f"| {r['validate_s']:.1f} | {r['write_s']:.1f} | {r['total_s']:.1f} "
                     f"| {r['customers'] / r['total_s']:,.0f} | {ratio} |")
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--path", action="append", choices=list(PATHS))
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    register_all_models()
    load = os.getloadavg()[0]
    results = []
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "customers.json"
        path.write_text(json.dumps(generate(args.customers, args.seed)), encoding="utf-8")
        for backend in args.backend or ["sqlite", "postgres"]:
            results += await run_backend(backend, path, args.path or list(PATHS))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at the end")
    print(table(results))


if __name__ == "__main__":
    asyncio.run(main())
