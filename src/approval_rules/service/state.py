"""What one worker holds: settings, the bundle library and current book, the decision log, the tokens."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

from ..batch.workers import ENGINE_VERSION
from ..core.bundled import cases_dir, rules_dir
from .auth import Tokens
from .books import Active, Books
from .config import Settings
from .declog import DecisionLog, LogUnavailable, open_log
from .library import Library
from .records import LogRow
from . import metrics
from .webio import ApiError

log = logging.getLogger("approval_rules.service")


@dataclass
class Service:
    settings: Settings
    library: Library
    books: Books
    tokens: Tokens
    log: DecisionLog | None = None
    log_error: str | None = None
    _writable: tuple[float, bool] = field(default=(0.0, False), repr=False)

    @classmethod
    def create(cls, settings: Settings) -> "Service":
        key = Path(settings.verify_key).read_bytes() if settings.verify_key else None
        library = Library(settings.data_dir, key)
        if library.active_revision() is None:
            library.install_directory(rules_dir(), cases_dir(), ENGINE_VERSION)
        tokens = Tokens(settings.tokens_file, Path(settings.data_dir) / "session.key")
        service = cls(settings, library, Books(library, settings.reload_seconds), tokens)
        service.books.refresh(force=True)
        service.open_log()
        return service

    def open_log(self) -> None:
        try:
            self.log = open_log(self.settings.dsn, self.settings.busy_timeout_ms)
            self.log_error = None
        except LogUnavailable as exc:
            self.log, self.log_error = None, str(exc)

    def active(self) -> Active:
        self.books.refresh()
        current = self.books.current
        if current is None:
            raise ApiError(503, "no_active_bundle", "没有可用的规则包，暂不能审查")
        return current

    def record(self, rows: list[LogRow]) -> None:
        """Commit the rows; a decision whose record cannot be written is not answered (503)."""
        if self.log is None:
            self.open_log()
        if self.log is None:
            metrics.LOG_FAILURES.inc()
            raise ApiError(503, "log_unavailable", "决定记录无法写入，本次不作决定（请稍后重试）")
        with metrics.LOG_WRITE.time():
            try:
                self.log.append(rows)
            except LogUnavailable as exc:
                log.error("决定记录写入失败：%s", exc)
                metrics.LOG_FAILURES.inc()
                raise ApiError(503, "log_unavailable", "决定记录无法写入，本次不作决定（请稍后重试）") from None

    def reader(self) -> DecisionLog:
        if self.log is None:
            self.open_log()
        if self.log is None:
            raise ApiError(503, "log_unavailable", "决定记录暂不可读")
        return self.log

    async def log_writable(self) -> bool:
        """Whether the log takes writes, checked at most every 2 s (off the event loop)."""
        loop = asyncio.get_running_loop()
        checked, ok = self._writable
        if loop.time() - checked < 2.0:
            return ok
        if self.log is None:
            self.open_log()
        ok = self.log is not None and await asyncio.to_thread(self.log.writable)
        self._writable = (loop.time(), ok)
        return ok
