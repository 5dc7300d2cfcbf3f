"""A one-line progress display for a terminal: count, rate and time left.

Redrawn at most a few times a second on the given stream (standard error), and only when that
stream is a terminal; elsewhere (a pipe, a file, CI) it prints nothing.
"""

from __future__ import annotations

import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    def __init__(self, stream: TextIO, total: int | None = None, enabled: bool | None = None, every: float = 0.2):
        self.stream = stream
        self.total = total
        self.enabled = stream.isatty() if enabled is None else enabled
        self.every = every
        self.start = time.monotonic()
        self._last = 0.0
        self._width = 0

    def text(self, done: int, now: float | None = None) -> str:
        elapsed = (now if now is not None else time.monotonic()) - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        if self.total:
            frac = min(done / self.total, 1.0)
            bar = "#" * int(frac * 24)
            left = _clock((self.total - done) / rate) if rate > 0 and done < self.total else "--:--"
            return f"[{bar:<24}] {done:,}/{self.total:,} 件  {rate:,.0f} 件/秒  剩余 {left}"
        return f"已审查 {done:,} 件  {rate:,.0f} 件/秒  已用 {_clock(elapsed)}"

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.every:
            return
        self._last = now
        line = self.text(done, now)
        self.stream.write("\r" + line + " " * max(0, self._width - len(line)))
        self.stream.flush()
        self._width = len(line)

    def close(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * (self._width * 2) + "\r")  # wide characters take two columns
            self.stream.flush()
            self._width = 0
