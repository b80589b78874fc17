"""Small server-side SVG charts: no JavaScript, no build step, readable by tests and screen readers.

Every mark carries ``data-series``/``data-label`` and ``data-value`` attributes and a ``<title>``
tooltip, so the figure a chart shows can be read back exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
PALETTE = ("#2563eb", "#16a34a", "#ea580c", "#9333ea", "#dc2626")


@dataclass(frozen=True)
class Series:
    """One line of a line chart: a name and one value per x label (None: no value that day)."""

    name: str
    values: Sequence[float | None]


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _frame(title: str, y_max: float, body: list[str], labels: Sequence[str], y_suffix: str) -> Markup:
    plot_h = HEIGHT - TOP - BOTTOM
    grid = []
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        grid.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
                    f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                    f'{_fmt(y_max * fraction)}{y_suffix}</text>')
    x_labels = []
    if labels:
        x_labels.append(f'<text class="axis" x="{LEFT}" y="{HEIGHT - 8}">{escape(labels[0])}</text>')
        if len(labels) > 1:
            x_labels.append(f'<text class="axis" x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end">'
                            f'{escape(labels[-1])}</text>')
    # Every interpolated text went through escape(); the rest are numbers we formatted.
    svg = (f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">'
           f'<title>{escape(title)}</title>{"".join(grid)}{"".join(body)}{"".join(x_labels)}</svg>')
    return Markup(svg)  # noqa: S704


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series], *, y_max: float | None = None,
               y_suffix: str = "") -> Markup:
    """A line chart of one or more series over ``labels`` (the x axis, e.g. days)."""
    known = [v for s in series for v in s.values if v is not None]
    top = y_max if y_max is not None else _nice_max(max(known, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)
    body = []
    for index, line in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        points = [(LEFT + i * step, TOP + plot_h * (1 - v / top), labels[i], v)
                  for i, v in enumerate(line.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            body.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        for x, y, label, value in points:
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}" data-series="{escape(line.name)}" '
                        f'data-label="{escape(label)}" data-value="{_fmt(value)}"><title>{escape(label)}: '
                        f'{_fmt(value)}{y_suffix} {escape(line.name)}</title></circle>')
    return _frame(title, top, body, labels, y_suffix)


def bar_chart(title: str, bars: Sequence[tuple[str, float]], *, series: str = "count",
              shown: Callable[[str], str] = str) -> Markup:
    """Vertical bars, one per ``(label, value)``, labelled under each bar with ``shown(label)``.

    ``data-label`` keeps the label itself (a code, for scripts); people read ``shown(label)``.
    """
    top = _nice_max(max((v for _, v in bars), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(bars), 1)
    body = []
    for index, (label, value) in enumerate(bars):
        height = plot_h * value / top
        x = LEFT + index * slot + slot * 0.15
        body.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{slot * 0.7:.1f}" '
                    f'height="{height:.1f}" fill="{PALETTE[0]}" data-series="{escape(series)}" '
                    f'data-label="{escape(label)}" data-value="{_fmt(value)}"><title>{escape(shown(label))}: '
                    f'{_fmt(value)}</title></rect>'
                    f'<text class="axis" x="{x + slot * 0.35:.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
                    f'{escape(shown(label))}</text>')
    return _frame(title, top, body, [], "")
