"""How figures read on the page: percentages, durations, missing values."""

from __future__ import annotations

NO_VALUE = "—"


def percent(rate: float | None) -> str:
    """``0.25`` → ``25.0%``."""
    return NO_VALUE if rate is None else f"{rate * 100:.1f}%"


def duration(seconds: float | None) -> str:
    """``3725`` → ``1h 2m``, ``300`` → ``5m 0s``, ``37.061`` → ``37s``, ``4.25`` → ``4.2s``.

    Tenths only under ten seconds: a bot's reply time reads "1.3s"; "37.061s" is noise.
    """
    if seconds is None:
        return NO_VALUE
    if seconds < 9.95:
        return f"{seconds:.1f}s"
    if seconds < 59.5:
        return f"{round(seconds)}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes}m"


def number(value: float | None) -> str:
    """A count or average as written, or a dash when there is none."""
    return NO_VALUE if value is None else f"{value:g}"
