"""The analytics figures as CSV: one row per day and a final total row."""

from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = ("day", "conversations", "bot_resolved", "deflection_rate", "handoffs", "handoff_rate",
           "sla_breaches", "csat_avg", "csat_count")


def series_csv(figures: dict[str, Any]) -> str:
    """CSV text of ``figures["series"]`` followed by a ``total`` row from the summary's totals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for day in figures["series"]:
        writer.writerow([_cell(day.get(column)) for column in COLUMNS])
    writer.writerow(["total", *(_cell(figures.get(column)) for column in COLUMNS[1:])])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    return "" if value is None else str(value)
