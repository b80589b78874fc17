"""The RFM breakpoints of the last full figures refresh, kept in one database row that every process reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.models import RfmBreakpoints
from core.customers.rfm import Breakpoints

_ROW = 1  # the one row of rfm_breakpoints
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


async def store_breakpoints(session: AsyncSession, breakpoints: Breakpoints | None, *, customers: int,
                            now: datetime) -> None:
    """Keep ``breakpoints`` (from ranking ``customers`` customers) for later pushes; None forgets them.

    An upsert: the first refresh inserts the row, and two first refreshes (an import and the
    periodic one) must not both try to.
    """
    if breakpoints is None:
        # Nobody to rank against: pushes rank everyone again until customers have orders.
        await session.execute(delete(RfmBreakpoints))
        return
    values = {"recency": list(breakpoints.recency), "frequency": list(breakpoints.frequency),
              "monetary": list(breakpoints.monetary), "customers": customers, "computed_at": now}
    insert = _INSERTS[session.get_bind().dialect.name]
    await session.execute(insert(RfmBreakpoints).values(id=_ROW, **values)
                          .on_conflict_do_update(index_elements=[RfmBreakpoints.id], set_=values))


async def load_breakpoints(session: AsyncSession) -> Breakpoints | None:
    """The stored breakpoints, or None before the first full refresh that ranked anyone."""
    row = (await session.execute(
        select(RfmBreakpoints.recency, RfmBreakpoints.frequency, RfmBreakpoints.monetary)
        .where(RfmBreakpoints.id == _ROW)
    )).one_or_none()
    if row is None:
        return None
    return Breakpoints(tuple(row.recency), tuple(row.frequency), tuple(row.monetary))
