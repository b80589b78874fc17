"""Benchmark: one REST push refreshing every customer's figures next to refreshing only its customer.

Usage (from the repository root; needs PostgreSQL on 127.0.0.1:5432 for ``--backend postgres``)::

    PYTHONPATH=. python -m benchmarks.customers.push --customers 20000 --repeat 5

Fills a fresh database as ``benchmarks.customers.figures`` does (its full refresh stores the RFM
breakpoints), then times transactions of what the routes do for one customer in the middle of the
list:

- ``customer PUT``: ``PUT /api/customers/{external_id}`` with one new order: ``upsert_customer``,
  the refresh, the customer card;
- ``order PUT``: ``PUT /api/orders/{number}`` for a new order of that customer: ``upsert_order_for``,
  the refresh, the order view.

``full`` refreshes with ``refresh_figures`` (what every push did before), ``per customer`` with
``refresh_customer_figures`` (what pushes do now). The two alternate within each repeat, so a change in
the machine's load falls on both; every transaction is rolled back, so each sees the same database
(on SQLite its time is how long a push holds the write lock). Prints the medians as a Markdown table.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

from benchmarks.customers.figures import bench_main, filled_database
from benchmarks.customers.run import EPOCH
from core.customers.figures import refresh_customer_figures, refresh_figures
from core.customers.records import parse_customer, parse_order
from core.customers.service import customer_card, order_view, upsert_customer, upsert_order_for
from core.settings import Settings

# (session, settings, customer id) -> figures changed
Refresh = Callable[..., Awaitable[int]]
PATHS: dict[str, Refresh] = {
    "full": lambda session, settings, customer_id: refresh_figures(session, settings),
    "per customer": lambda session, settings, customer_id: refresh_customer_figures(session, settings, [customer_id]),
}
NEW_ORDER = {"number": "bench-push", "status": "delivered", "total": "1234.00", "created_at": EPOCH.isoformat()}


def customer_put(record: dict, settings: Settings):
    """What ``PUT /api/customers/{external_id}`` does for ``record`` with one new order."""
    pushed = parse_customer({**record, "orders": [*record["orders"], NEW_ORDER]}, region=settings.phone_region,
                            currency=settings.shop_currency)

    async def push(session, refresh: Refresh) -> None:
        customer, _ = await upsert_customer(session, pushed)
        await refresh(session, settings, customer.id)
        await customer_card(session, customer)
    return push


def order_put(record: dict, settings: Settings):
    """What ``PUT /api/orders/{number}`` does for a new order of ``record``'s customer."""
    pushed = parse_order(NEW_ORDER, currency=settings.shop_currency)

    async def push(session, refresh: Refresh) -> None:
        order, _ = await upsert_order_for(session, customer_external_id=record["external_id"], record=pushed)
        await refresh(session, settings, order.customer_id)
        order_view(order)
    return push


async def measure(url: str, records: list[dict], repeat: int) -> list[dict]:
    """Median seconds of each push and refresh path on a fresh database at ``url``."""
    results = []
    async with filled_database(url, records) as (settings, engine, factory):
        record = records[len(records) // 2]
        for case, push in {"customer PUT": customer_put(record, settings),
                           "order PUT": order_put(record, settings)}.items():
            times: dict[str, list[float]] = {path: [] for path in PATHS}
            for _ in range(repeat):
                for path, refresh in PATHS.items():
                    async with factory() as session:
                        started = time.perf_counter()
                        await push(session, refresh)
                        await session.flush()
                        times[path].append(time.perf_counter() - started)
                        await session.rollback()
            results += [{"backend": engine.dialect.name, "customers": len(records),
                         "orders": sum(len(r["orders"]) for r in records), "case": case, "path": path,
                         "seconds": statistics.median(seconds)} for path, seconds in times.items()]
    return results


def table(results: list[dict]) -> str:
    """Full and per-customer refresh side by side per backend, size and push."""
    seconds = {(r["backend"], r["customers"], r["case"], r["path"]): r["seconds"] for r in results}
    lines = ["| backend | customers (orders) | push | full refresh ms | per customer ms | ratio |",
             "| --- | --- | --- | ---: | ---: | ---: |"]
    for backend, customers, case, path in seconds:
        if path != "full":
            continue
        r = next(r for r in results if (r["backend"], r["customers"], r["case"]) == (backend, customers, case))
        full, own = seconds[(backend, customers, case, "full")], seconds[(backend, customers, case, "per customer")]
        lines.append(f"| {backend} | {customers:,} ({r['orders']:,}) | {case} | {full * 1000:.1f} "
                     f"| {own * 1000:.1f} | {full / own:.0f}x |")
    return "\n".join(lines)


if __name__ == "__main__":
    asyncio.run(bench_main(__doc__.splitlines()[0], measure, table, repeat=5))
