"""Runtime values shared by the evaluators: the third truth value and calendar arithmetic."""

from __future__ import annotations

import calendar
import math
import datetime as _dt


class _Unknown:
    """A fact the file lacks, or anything computed from one (Kleene's third value)."""

    _instance: "_Unknown | None" = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        # INVARIANT: unknown is never silently truthy or falsy; every use must test for it.
        raise TypeError("UNKNOWN has no truth value")

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


def add_months(day: _dt.date, months: int) -> _dt.date:
    """Calendar months, clamped to the month's end (2024-05-31 - 3 months = 2024-02-29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def shift(day: _dt.date, amount: int, unit: str) -> "_dt.date | _Unknown":
    """``day`` plus ``amount`` days, months or years (negative amounts go back).

    Unknown past the calendar's ends (before year 1, after 9999): a rule's own shifts are
    bounded (``limits``), but a project file may hold a date near either end.
    """
    try:
        if unit == "days":
            return day + _dt.timedelta(days=amount)
        return add_months(day, amount if unit == "months" else 12 * amount)
    except (OverflowError, ValueError):
        return UNKNOWN


def finite(value: object) -> bool:
    """False for NaN and the infinities, which input validation rejects: read as not filled in."""
    return not isinstance(value, float) or math.isfinite(value)


def days_between(a: _dt.date, b: _dt.date) -> int:
    return (b - a).days


def months_between(a: _dt.date, b: _dt.date) -> int:
    """Whole calendar months from ``a`` to ``b`` (negative when ``b`` is earlier)."""
    if b < a:
        return -months_between(b, a)
    months = (b.year - a.year) * 12 + b.month - a.month
    if add_months(a, months) > b:
        months -= 1
    return months


def years_between(a: _dt.date, b: _dt.date) -> int:
    m = months_between(a, b)
    return int(m / 12)
