"""Dates given by callers of the library, who may pass ISO text where a date is meant."""

from __future__ import annotations

import datetime as _dt


def as_date(value: object, what: str) -> _dt.date:
    """``value`` as a calendar date: a ``date`` as is, or ISO text such as ``"2024-01-01"``.

    A datetime is refused, as in project files: its time of day would be silently dropped, and
    it does not compare with the dates the rules hold. The message names ``what`` in Chinese."""
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{what}应为日期（date）或 ISO 格式的日期文本（如 2024-01-01），而不是 {value!r}")
