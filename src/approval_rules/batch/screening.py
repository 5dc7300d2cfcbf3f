"""Screen a batch of project files: in parallel, streaming, resumable, never stopping on a bad input.

The pipeline: ``inputs`` yields raw inputs (text plus where it came from) one at a time; they are
cut into chunks (growing from 8 to 256 inputs) and sent to worker processes, each with the rule
book compiled once (inherited from the parent where processes fork, as on Linux; otherwise
compiled by the pool initializer; never pickled), which turn every input into a ``store.Row`` of
plain values (the decision
contract's parts as JSON text, or the problems of an input that could not be decided). The
parent receives chunks back in input order, streams every row to the caller (an export) and
writes rows to the results store in transactions of a few hundred. At most a few chunks per
worker are in flight, so memory does not grow with the size of the batch.

Rows reach the caller only after the transaction holding them is committed, so the export never
holds a row the store does not (a run stopped at any point, by a full disk or a second Ctrl-C,
leaves both agreeing, or the store ahead where the export itself failed); ``--resume`` writes
the whole export again.

- One bad input is one error row (its diagnostics with ``file:line:col``; for a line of a JSON
  Lines file, the line of that file); an unexpected exception while deciding one input is an
  error row with code ``E900`` (an internal error) and the batch goes on.
- With ``resume``, an input whose stored row was decided from the same bytes (SHA-256) under the
  same rule sets (``ruleset_hash``: every rule set's id, version and file hash, plus the engine
  version) and the same ``--as-of`` option is not decided again: its stored row is reused,
  unless it no longer reads back whole (``Summary.unreadable``), when it is decided again.
- Ctrl-C (or SIGTERM) stops the batch: every row already received is committed, the run is
  recorded as ``interrupted`` and ``Summary.interrupted`` is set.
- A store or export that cannot be written (a full disk) ends the run: what was committed stays,
  the run is recorded as ``aborted`` with a Chinese note, and ``Summary.fault`` says why.
- With ``jobs == 1`` everything runs in the calling process.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import multiprocessing
import os
import signal
import sqlite3
import threading
import time
from collections import Counter, deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..engine.backends import make_backend
from ..engine.book import RuleBook
from ..ruleset.profile import Profile
from . import workers
from .inputs import Item, iter_items
from .rows import DECISIONS, Row, read_back
from .store import Store, StoreError, fault_zh
from .workers import INTERNAL, _dumps, _init_worker, _work, decide, ruleset_hash, ruleset_refs


FLUSH_ROWS = 500
FLUSH_SECONDS = 1.0
CHUNK_FIRST, CHUNK_MAX = 8, 256  # chunks sent to workers grow from 8 inputs to 256

# --- the batch --------------------------------------------------------------------------------


@dataclass
class Summary:
    """What a run did: counts per decision (and ``error``), how many decided now and reused."""

    counts: Counter[str] = field(default_factory=Counter)
    decided: int = 0
    reused: int = 0
    internal: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    run_id: int | None = None
    broken: str | None = None  # why the worker pool failed, if it did
    fault: str | None = None  # why the store or the export could not be written, if so (Chinese)
    unreadable: int = 0  # stored rows that could not be read back and were decided again

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def errors(self) -> int:
        return self.counts.get("error", 0)

    @property
    def rate(self) -> float:
        return self.decided / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, int]:
        return {k: self.counts.get(k, 0) for k in (*DECISIONS, "error")}


@dataclass(eq=False)
class Batch:
    """One screening run: ``run(items)`` decides every input and hands each row, in input order,
    to ``on_row`` (the export) and to the store; ``progress(n)`` is called every chunk."""

    book: RuleBook
    rules_path: str
    as_of: _dt.date | None = None
    jobs: int = 1
    backend: str = "native"
    profile: Profile | None = None
    store: Store | None = None
    resume: bool = False
    argv: list[str] = field(default_factory=list)
    shard: str | None = None  # recorded in the run row; the caller selects the shard's inputs
    chunk: int = CHUNK_MAX  # the largest chunk of inputs sent to a worker at once
    on_row: Callable[[Row], None] = lambda row: None
    progress: Callable[[int], None] | None = None

    def __post_init__(self) -> None:
        self.refs = ruleset_refs(self.book)
        self.rulesets_json = _dumps(self.refs)
        self.hash = ruleset_hash(self.refs)
        if self.profile is not None:  # another deployment may decide the same file otherwise
            self.hash += ":" + hashlib.sha256(self.profile.model_dump_json().encode()).hexdigest()[:16]
        self.as_of_option = self.as_of.isoformat() if self.as_of else ""
        self.summary = Summary()
        self._pending: list[tuple[Row, bool]] = []  # received, not yet committed: (row, reused)
        self._last_flush = time.monotonic()
        self._stop = False
        self._flushing = False  # a second Ctrl-C waits until the rows in hand are committed and written
        self._backend = make_backend(self.backend) if self.jobs <= 1 else None

    # The store ---------------------------------------------------------------------------

    def _flush(self, force: bool = False) -> None:
        """Commit the rows in hand, then count them and hand them to ``on_row``."""
        storing = self.store is not None and self.summary.run_id is not None
        due = len(self._pending) >= FLUSH_ROWS or time.monotonic() - self._last_flush >= FLUSH_SECONDS
        if not self._pending or (storing and not (force or due)):
            return
        self._flushing = True
        try:
            rows, self._pending = self._pending, []
            if storing:
                assert self.store is not None and self.summary.run_id is not None
                self.store.write(self.summary.run_id, self.hash, self.as_of_option,
                                 [r for r, reused in rows if not reused], [r for r, reused in rows if reused])
            self._last_flush = time.monotonic()
            s = self.summary
            for row, reused in rows:
                s.counts[row.decision] += 1
                if reused:
                    s.reused += 1
                else:
                    s.decided += 1
                    s.internal += row.decision == "error" and INTERNAL in row.failing.split()
            try:
                for row, _ in rows:
                    self.on_row(row)
            except OSError as exc:
                raise StoreError(fault_zh("输出", exc) + "；结果库中的结果完整，可用 --resume 重新导出") from exc
        finally:
            self._flushing = False

    def _reusable(self, item: Item) -> Row | None:
        if not (self.resume and self.store is not None and item.problem is None):
            return None
        found = self.store.decided(item.label, item.digest, self.hash, self.as_of_option)
        if found is None:
            return None
        if read_back(found[0]) is None:
            self.summary.unreadable += 1
            return None
        return found[0]

    def _emit(self, row: Row, reused: bool) -> None:
        self._pending.append((row, reused))

    # Running -----------------------------------------------------------------------------

    def run(self, items: Iterable[Item]) -> Summary:
        s = self.summary
        if self.store is not None:
            s.run_id = self.store.start_run(
                rulesets=self.refs, ruleset_hash=self.hash, as_of_option=self.as_of_option,
                argv=self.argv, rules=self.rules_path, jobs=self.jobs, shard=self.shard,
            )
        start = time.monotonic()
        self._stop = False
        handlers = {}
        if _main_thread():
            # The first Ctrl-C (or SIGTERM) asks the batch to stop at the next row boundary, so
            # that what was received is written out and committed whole; a second one is abrupt.
            def on_signal(signum: int, frame: object) -> None:
                if self._stop and not self._flushing:
                    raise KeyboardInterrupt
                self._stop = True

            for sig in (signal.SIGINT, signal.SIGTERM):
                handlers[sig] = signal.signal(sig, on_signal)
        status, note = "aborted", None  # unless the loop below ends, or is interrupted
        try:
            if self.jobs <= 1:
                self._run_here(items)
            else:
                self._run_pool(items)
            status = "done"
        except KeyboardInterrupt:
            self._stop = True
            status = "done"
        except BrokenProcessPool as exc:
            s.broken = str(exc) or "工作进程意外退出"
            note = f"工作进程意外退出：{s.broken}"
        except StoreError as exc:
            s.fault = note = str(exc)
        except BaseException as exc:
            note = f"内部错误：{type(exc).__name__}: {exc}"
            raise
        finally:
            if self._stop and status == "done":
                s.interrupted = True
                status = "interrupted"
            s.seconds = time.monotonic() - start
            try:
                self._finish(status, note)
            finally:
                for sig, old in handlers.items():
                    signal.signal(sig, old)
        return s

    def _finish(self, status: str, note: str | None) -> None:
        # Commit what was received, and record the run, even if a second Ctrl-C (or SIGTERM)
        # arrives while doing so.
        old = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)} if _main_thread() else {}
        s = self.summary
        try:
            if s.fault is None:
                try:
                    self._flush(force=True)
                except StoreError as exc:
                    s.fault = note = str(exc)
                    status = "aborted"
            if self.store is not None and s.run_id is not None:
                try:
                    self.store.finish_run(s.run_id, status, total=s.total, decided=s.decided, reused=s.reused,
                                          errors=s.errors, counts=s.as_dict(), seconds=s.seconds, note=note)
                except sqlite3.Error:
                    pass  # a full disk even for this: the next open of the store finds the run's process gone
        finally:
            for sig, handler in old.items():
                signal.signal(sig, handler)

    def _tick(self) -> None:
        self._flush()
        if self.progress is not None:
            self.progress(self.summary.total)

    def _run_here(self, items: Iterable[Item]) -> None:
        n = 0
        for item in items:
            if self._stop:
                break
            row = self._reusable(item)
            if row is not None:
                self._emit(row, True)
            else:
                self._emit(decide(self.book, item, self.as_of, self._backend, self.profile), False)
            n += 1
            if n % 64 == 0:
                self._tick()
        self._tick()

    def _chunks(self, items: Iterable[Item]) -> Iterator[tuple[list[Row | None], list[Item]]]:
        """Chunks of work: the reused rows in their slots (None where a worker must decide) and the work."""
        slots: list[Row | None] = []
        work: list[Item] = []
        size = min(CHUNK_FIRST, self.chunk)  # small first, so that a small batch is spread over the workers
        for item in items:
            row = self._reusable(item)
            slots.append(row)
            if row is None:
                work.append(item)
            if len(slots) >= size:
                yield slots, work
                slots, work = [], []
                size = min(size * 2, self.chunk)
        if slots:
            yield slots, work

    def _run_pool(self, items: Iterable[Item]) -> None:
        window: deque[tuple[list[Row | None], Future[Any] | None]] = deque()
        limit = max(2, 4 * self.jobs)
        forking = "fork" in multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if forking else "spawn")
        if forking:
            workers._BOOK = self.book  # inherited by the forked workers
        pool = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_init_worker,
                                   initargs=(None if forking else self.rules_path, self.as_of, self.backend, self.profile))
        try:
            for slots, work in self._chunks(items):
                window.append((slots, pool.submit(_work, work) if work else None))
                while len(window) >= limit or (self._stop and window):
                    self._drain(window.popleft())
                if self._stop:
                    break
            while window:
                self._drain(window.popleft())
        finally:
            # After a stop, the chunks already sent are drained above (a moment's work); after an
            # abrupt second Ctrl-C, what has not started is dropped and the workers exit.
            pool.shutdown(wait=True, cancel_futures=True)
            workers._BOOK = None

    def _drain(self, entry: tuple[list[Row | None], Future[Any] | None]) -> None:
        slots, future = entry
        decided = iter(_result(future) if future is not None else ())
        for row in slots:
            if row is not None:
                self._emit(row, True)
            else:
                self._emit(next(decided), False)
        self._tick()


def _result(future: Future[Any]) -> list[Row]:
    # Wait in short steps so that Ctrl-C is noticed promptly.
    while True:
        try:
            rows: list[Row] = future.result(timeout=0.25)
            return rows
        except TimeoutError:
            continue


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def screen(
    book: RuleBook, paths: Iterable[str | Path], as_of: _dt.date | None = None, profile: Profile | None = None,
) -> Iterator[Row]:
    """Decide each input under ``paths`` in this process, one row at a time (no store, no resume)."""
    for item in iter_items([str(p) for p in paths]):
        yield decide(book, item, as_of, profile=profile)


_DECISION_ZH = {"approve": "准予许可", "reject": "不予许可", "needs_correction": "需补正材料", "refer": "转人工审查", "error": "输入有误"}


def summary_line(s: Summary) -> str:
    """The line every run ends with: counts per decision, errors, how many decided now, speed."""
    parts = "，".join(f"{_DECISION_ZH[k]} {v}" for k, v in s.as_dict().items())
    line = f"共 {s.total} 件：{parts}"
    if s.reused:
        line += f"；新审查 {s.decided} 件，沿用已有结果 {s.reused} 件"
    if s.unreadable:
        line += f"；结果库中 {s.unreadable} 件的已存结果无法读取（已损坏），已重新审查"
    return line + f"；用时 {s.seconds:.1f} 秒，{s.rate:,.0f} 件/秒"
