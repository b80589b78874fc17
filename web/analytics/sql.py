"""Portable SQL pieces that SQLite and PostgreSQL spell differently, and percentiles.

Timestamps are stored as UTC on both backends (naive text on SQLite, ``timestamptz`` on PostgreSQL);
these expressions keep the arithmetic in the database and in UTC whatever the session time zone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sqlalchemy import Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class seconds_between(FunctionElement):  # noqa: N801 - reads like the SQL function it renders
    """``seconds_between(start, end)``: the seconds from ``start`` to ``end`` as a float."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw) -> str:
    start, end = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_between_postgresql(element, compiler, **kw) -> str:
    start, end = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"


class utc_day(FunctionElement):  # noqa: N801 - reads like the SQL function it renders
    """``utc_day(timestamp)``: the UTC calendar day as ``'YYYY-MM-DD'`` text."""

    type = String()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw) -> str:
    (value,) = list(element.clauses)
    return f"date({compiler.process(value, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw) -> str:
    (value,) = list(element.clauses)
    return f"to_char(({compiler.process(value, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``p`` % of values at or below it.

    Args:
        sorted_values: ascending values.
        p: the percentile, 0 < p <= 100.

    Returns:
        The value, or None when there are no values.
    """
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to four places, or None when ``whole`` is zero."""
    return round(part / whole, 4) if whole else None
