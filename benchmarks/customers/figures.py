"""Benchmark: `refresh_figures` and one REST customer push, the old per-object loop next to the bulk refresh.

Usage (from the repository root; needs PostgreSQL on 127.0.0.1:5432 for ``--backend postgres``)::

    PYTHONPATH=. python -m benchmarks.customers.figures --customers 20000 --customers 100000

For each size and backend, fills a fresh database with the seeded customers of
``benchmarks.customers.run`` (0-5 orders each; without phones, which the figures never read) and
refreshes their figures once. Then, for each implementation, times ``--repeat`` transactions of:

- ``refresh, all change``: every stored figure reset (lifetime value 0, no segment, no VIP) and
  refreshed, as after a first import;
- ``refresh, up to date``: a refresh that finds nothing to change;
- ``REST push``: what ``PUT /api/customers/{external_id}`` does for a customer with one new order:
  ``upsert_customer``, the refresh and the customer card.

Every transaction is rolled back, so each repeat sees the same database. ``old`` is the loop
``refresh_figures`` ran before it was bulk (every customer as an ORM object, rows written by the
unit of work), kept here only for the comparison; ``new`` is today's ``refresh_figures``.
Prints the median of the repeats as one Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.customers.run import EPOCH, generate
from core.customers.bulk import upsert_customers
from core.customers.figures import is_vip, order_summaries, refresh_figures
from core.customers.records import parse_customer
from core.customers.rfm import rank
from core.customers.service import customer_card, upsert_customer
from core.database import create_engine, create_session_factory
from core.models import Customer
from core.settings import Settings
from tests.support.backends import create_postgres_database, drop_postgres_database
from web.migrate import upgrade
from web.models_registry import register_all_models

Refresh = Callable[..., Awaitable[int]]
Measure = Callable[[str, list[dict], int], Awaitable[list[dict]]]


async def old_refresh_figures(session, settings: Settings) -> int:
    """``refresh_figures`` as it was before the bulk change (commit 97fdf77), for comparison only."""
    summaries = await order_summaries(session, settings.shop_currency)
    by_customer = {s.customer_id: s for s in summaries}
    segments = rank(summaries).segments
    changed = 0
    for customer in (await session.scalars(select(Customer).where(Customer.merged_into_id.is_(None)))).all():
        summary = by_customer.get(customer.id)
        values = {
            "lifetime_value": summary.spent if summary else Decimal("0"),
            "rfm_segment": segments.get(customer.id),
        }
        if customer.lifetime_value != values["lifetime_value"] or customer.rfm_segment != values["rfm_segment"]:
            customer.lifetime_value, customer.rfm_segment = values["lifetime_value"], values["rfm_segment"]
            changed += 1
        vip = is_vip(customer, settings)
        if customer.vip != vip:
            customer.vip = vip
            changed += 1
    await session.flush()
    return changed


IMPLEMENTATIONS: dict[str, Refresh] = {"old": old_refresh_figures, "new": refresh_figures}


async def all_change(session, settings: Settings, refresh: Refresh) -> None:
    """Reset every figure, then refresh them all."""
    await session.execute(update(Customer).values(lifetime_value=Decimal("0"), rfm_segment=None, vip=False))
    await refresh(session, settings)


async def up_to_date(session, settings: Settings, refresh: Refresh) -> None:
    """A refresh with nothing to change."""
    await refresh(session, settings)


def push_case(record: dict, settings: Settings):
    """What the PUT route does for ``record`` (an existing customer) with one new order."""
    pushed = parse_customer({**record, "orders": [*record["orders"], {
        "number": "bench-push", "status": "delivered", "total": "1234.00", "created_at": EPOCH.isoformat()}]},
        region=settings.phone_region, currency=settings.shop_currency)

    async def rest_push(session, settings: Settings, refresh: Refresh) -> None:
        customer, _ = await upsert_customer(session, pushed)
        await refresh(session, settings)
        await customer_card(session, customer)
    return rest_push


async def fill(factory, settings: Settings, records: list[dict]) -> None:
    """Write the customers with their orders and their figures, as an import would."""
    async with factory() as session, session.begin():
        await upsert_customers(session, [parse_customer(record, region=settings.phone_region,
                                                        currency=settings.shop_currency) for record in records])
        await refresh_figures(session, settings)


@asynccontextmanager
async def filled_database(url: str, records: list[dict]) -> AsyncIterator[tuple[Settings, AsyncEngine, Callable]]:
    """Settings, engine and session factory of a migrated database at ``url`` holding ``records``."""
    settings = Settings(database_url=url, secret_key="bench-" + "0" * 32, run_workers=False,  # noqa: S106
                        _env_file=None)
    await asyncio.to_thread(upgrade, settings)
    engine = create_engine(settings)
    factory = create_session_factory(engine)
    try:
        await fill(factory, settings, records)
        yield settings, engine, factory
    finally:
        await engine.dispose()


async def measure(url: str, records: list[dict], repeat: int) -> list[dict]:
    """Median seconds of each case and implementation on a fresh database at ``url``."""
    results = []
    async with filled_database(url, records) as (settings, engine, factory):
        cases = {"refresh, all change": all_change, "refresh, up to date": up_to_date,
                 "REST push": push_case(records[len(records) // 2], settings)}
        for case, run in cases.items():
            for name, refresh in IMPLEMENTATIONS.items():
                times = []
                for _ in range(repeat):
                    async with factory() as session:
                        started = time.perf_counter()
                        await run(session, settings, refresh)
                        await session.flush()
                        times.append(time.perf_counter() - started)
                        await session.rollback()
                results.append({"backend": engine.dialect.name, "customers": len(records),
                                "orders": sum(len(r["orders"]) for r in records), "case": case,
                                "implementation": name, "seconds": statistics.median(times)})
    return results


async def run_backend(backend: str, records: list[dict], repeat: int, measure: Measure) -> list[dict]:
    """``measure`` on a fresh database of ``backend``."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            return await measure(f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}", records, repeat)
    url = await create_postgres_database()
    try:
        return await measure(url, records, repeat)
    finally:
        await drop_postgres_database(url)


def table(results: list[dict]) -> str:
    """Old and new side by side per backend, size and case."""
    seconds = {(r["backend"], r["customers"], r["case"], r["implementation"]): r["seconds"] for r in results}
    lines = ["| backend | customers (orders) | case | old s | new s | speed-up |",
             "| --- | --- | --- | ---: | ---: | ---: |"]
    seen = set()
    for r in results:
        key = (r["backend"], r["customers"], r["case"])
        if key in seen:
            continue
        seen.add(key)
        old, new = seconds[(*key, "old")], seconds[(*key, "new")]
        lines.append(f"| {r['backend']} | {r['customers']:,} ({r['orders']:,}) | {r['case']} "
                     f"| {old:.3f} | {new:.3f} | {old / new:.1f}x |")
    return "\n".join(lines)


async def bench_main(description: str, measure: Measure, render: Callable[[list[dict]], str], *,
                     repeat: int) -> None:
    """Parse the command line, ``measure`` every size on every backend, print the machine and ``render``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--customers", type=int, action="append")
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    register_all_models()
    load = os.getloadavg()
    results = []
    for customers in args.customers or [20_000]:
        records = [{**record, "phones": []} for record in generate(customers, args.seed)]
        for backend in args.backend or ["sqlite", "postgres"]:
            results += await run_backend(backend, records, args.repeat, measure)
    end = os.getloadavg()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; load average {load[0]:.1f}/{load[1]:.1f} at start, "
          f"{end[0]:.1f}/{end[1]:.1f} at the end (1/5 min)")
    print(render(results))


async def main() -> None:
    await bench_main(__doc__.splitlines()[0], measure, table, repeat=3)


if __name__ == "__main__":
    asyncio.run(main())
