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

- One bad input is one error row (its diagnostics with ``file:line:col``; for a line of a JSON
  Lines file, the line of that file); an unexpected exception while deciding one input is an
  error row with code ``E900`` (an internal error) and the batch goes on.
- With ``resume``, an input whose stored row was decided from the same bytes (SHA-256) under the
  same rule sets (``ruleset_hash``: every rule set's id, version and file hash, plus the engine
  version) and the same ``--as-of`` option is not decided again: its stored row is reused.
- Ctrl-C (or SIGTERM) stops the batch: every row already received is committed, the run is
  recorded as ``interrupted`` and ``Summary.interrupted`` is set.
- With ``jobs == 1`` everything runs in the calling process.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import multiprocessing
import os
import re
import signal
import threading
import time
from collections import Counter, deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib import metadata as _metadata
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..engine.book import RuleBook
from ..engine.compiler import compile_rules
from ..engine.decision import Decision
from ..core.diagnostics import ApprovalRulesError, Diagnostic, SourcePos
from ..engine.backends import make_backend
from ..engine.evaluator import Backend, evaluate
from .inputs import Item, case_id, iter_items
from ..ruleset.loader import load_rules, parse_project
from .store import DECISIONS, Row, Store

try:  # part of the rule-set hash: a new engine version re-decides everything on --resume
    ENGINE_VERSION = _metadata.version("approval-rules")
except _metadata.PackageNotFoundError:  # a source checkout that is not installed
    ENGINE_VERSION = "unknown"
INTERNAL = "E900"
FLUSH_ROWS = 500
FLUSH_SECONDS = 1.0
CHUNK_FIRST, CHUNK_MAX = 8, 256  # chunks sent to workers grow from 8 inputs to 256
_PLAIN_IDS = re.compile(r'\["[A-Za-z0-9_.\-]+(", "[A-Za-z0-9_.\-]+)*"\]')


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _ids_json(ids: list[str]) -> str:
    """A list of rule ids as ``json.dumps`` writes it; rule ids need no escaping (letters, digits, ``-_.``)."""
    if not ids:
        return "[]"
    text = '["' + '", "'.join(ids) + '"]'
    return text if _PLAIN_IDS.fullmatch(text) else _dumps(ids)


def ruleset_refs(book: RuleBook) -> list[dict[str, str]]:
    """The rule sets as the decision contract lists them."""
    return [{"id": r.id, "version": r.version, "sha256": r.sha256} for r in book.rulesets]


def ruleset_hash(refs: list[dict[str, str]]) -> str:
    """One hash for the rule sets and the engine: equal hashes decide every input the same way."""
    text = _dumps({"engine": ENGINE_VERSION, "rulesets": sorted(refs, key=lambda r: r["id"])})
    return hashlib.sha256(text.encode()).hexdigest()


# --- one input --------------------------------------------------------------------------------


_RULESET_OF: dict[int, tuple[RuleBook, dict[str, str]]] = {}


def _ruleset_of(book: RuleBook) -> dict[str, str]:
    """Rule id -> rule-set id, computed once per rule book."""
    entry = _RULESET_OF.get(id(book))
    if entry is None or entry[0] is not book:
        entry = (book, {r.id: r.ruleset_id for r in book.rules})
        _RULESET_OF[id(book)] = entry
    return entry[1]


def decision_row(d: Decision, item: Item, book: RuleBook | None = None) -> Row:
    """A decision as a row: its contract parts as JSON text."""
    applied = {f.ruleset for f in d.findings if f.ruleset}
    if book is not None:
        of = _ruleset_of(book)
        applied.update(of[r] for r in d.passed if r in of)
    return Row(
        source=item.label,
        case_id=d.case_id,
        decision=d.decision,
        as_of=d.as_of.isoformat(),
        findings=_dumps([f.to_dict() for f in d.findings]) if d.findings else "[]",
        passed=_ids_json(d.passed),
        not_applicable=_ids_json(d.not_applicable),
        failing=" ".join(f.rule_id for f in d.findings),
        applied=" ".join(sorted(applied)),
        errors=None,
        input_hash=item.digest,
    )


def error_row(item: Item, problems: list[Diagnostic]) -> Row:
    codes = " ".join(sorted({p.code for p in problems}))
    return Row(item.label, item.label, "error", None, None, None, None, codes, "", _dumps([p.to_dict() for p in problems]), item.digest)


def _in_file(problems: list[Diagnostic], item: Item) -> list[Diagnostic]:
    """Positions inside one line of a JSON Lines file, as positions in that file."""
    if item.line <= 0:
        return problems
    out = []
    for p in problems:
        pos = p.pos
        if pos is not None and pos.file == item.file:
            pos = SourcePos(item.file, item.line + pos.line - 1, pos.col)
        out.append(Diagnostic(p.code, p.message, pos, p.rule_id, p.hint, p.severity))
    return out


def decide(book: RuleBook, item: Item, as_of: _dt.date | None = None, backend: Backend | None = None) -> Row:
    """Decide one raw input; any problem with it becomes an error row, never an exception."""
    if item.problem is not None or item.text is None:
        return error_row(item, [item.problem] if item.problem else [])
    try:
        loaded = parse_project(item.text, item.file, item.fmt)
        d = evaluate(book, loaded.project, as_of, case_id=case_id(loaded.project, item.label), backend=backend)
        return decision_row(d, item, book)
    except ApprovalRulesError as exc:
        return error_row(item, _in_file(exc.diagnostics, item))
    except RecursionError:
        pos = SourcePos(item.file, max(item.line, 1), 1)
        return error_row(item, [Diagnostic("E105", "文件嵌套过深，无法审查", pos)])
    except Exception as exc:  # noqa: BLE001 - one input must never stop the batch
        pos = SourcePos(item.file, max(item.line, 1), 1)
        return error_row(item, [Diagnostic(INTERNAL, f"内部错误（请报告给开发人员）：{type(exc).__name__}: {exc}", pos)])


# --- worker processes -------------------------------------------------------------------------

_BOOK: RuleBook | None = None
_AS_OF: _dt.date | None = None
_BACKEND: Backend | None = None


def _init_worker(rules_path: str | None, as_of: _dt.date | None, backend: str = "native") -> None:
    """Pool initializer: make this process's rule book; Ctrl-C is the parent's job.

    With the ``fork`` start method (Linux) the worker inherits the rule book the parent compiled
    (``rules_path`` is None): no pickling and no second compile. Otherwise (``spawn``) it loads and
    compiles ``rules_path`` once. A worker whose parent died (killed with SIGKILL, say) exits by
    itself instead of lingering.
    """
    global _BOOK, _AS_OF, _BACKEND
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    if rules_path is not None:
        _BOOK = compile_rules(load_rules(rules_path))
    _AS_OF = as_of
    _BACKEND = make_backend(backend)  # its own instance: durable-rules state is not shared across processes


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _work(chunk: list[Item]) -> list[Row]:
    assert _BOOK is not None
    return [decide(_BOOK, item, _AS_OF, _BACKEND) for item in chunk]


# --- the batch --------------------------------------------------------------------------------


@dataclass
class Summary:
    """What a run did: counts per decision (and ``error``), how many decided now and reused."""

    counts: Counter = field(default_factory=Counter)
    decided: int = 0
    reused: int = 0
    internal: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    run_id: int | None = None
    broken: str | None = None  # why the worker pool failed, if it did

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
    store: Store | None = None
    resume: bool = False
    argv: list[str] = field(default_factory=list)
    chunk: int = CHUNK_MAX  # the largest chunk of inputs sent to a worker at once
    on_row: Callable[[Row], None] = lambda row: None
    progress: Callable[[int], None] | None = None

    def __post_init__(self) -> None:
        self.refs = ruleset_refs(self.book)
        self.rulesets_json = _dumps(self.refs)
        self.hash = ruleset_hash(self.refs)
        self.as_of_option = self.as_of.isoformat() if self.as_of else ""
        self.summary = Summary()
        self._pending: list[Row] = []
        self._reused: list[str] = []
        self._last_flush = time.monotonic()
        self._stop = False
        self._backend = make_backend(self.backend) if self.jobs <= 1 else None

    # The store ---------------------------------------------------------------------------

    def _flush(self, force: bool = False) -> None:
        if self.store is None or self.summary.run_id is None:
            self._pending.clear()
            self._reused.clear()
            return
        due = len(self._pending) + len(self._reused) >= FLUSH_ROWS or time.monotonic() - self._last_flush >= FLUSH_SECONDS
        if force or due:
            self.store.write(self.summary.run_id, self.hash, self.as_of_option, self._pending, self._reused)
            self._pending = []
            self._reused = []
            self._last_flush = time.monotonic()

    def _reusable(self, item: Item) -> Row | None:
        if not (self.resume and self.store is not None and item.problem is None):
            return None
        found = self.store.decided(item.label, item.digest, self.hash, self.as_of_option)
        return found[0] if found else None

    def _emit(self, row: Row, reused: bool) -> None:
        self.summary.counts[row.decision] += 1
        if reused:
            self.summary.reused += 1
            self._reused.append(row.source)
        else:
            self.summary.decided += 1
            if row.decision == "error" and INTERNAL in row.failing.split():
                self.summary.internal += 1
            self._pending.append(row)
        self.on_row(row)

    # Running -----------------------------------------------------------------------------

    def run(self, items: Iterable[Item]) -> Summary:
        s = self.summary
        if self.store is not None:
            s.run_id = self.store.start_run(
                rulesets=self.refs, ruleset_hash=self.hash, as_of_option=self.as_of_option,
                argv=self.argv, rules=self.rules_path, jobs=self.jobs,
            )
        start = time.monotonic()
        self._stop = False
        handlers = {}
        if _main_thread():
            # The first Ctrl-C (or SIGTERM) asks the batch to stop at the next row boundary, so
            # that what was received is written out and committed whole; a second one is abrupt.
            def on_signal(signum: int, frame: object) -> None:
                if self._stop:
                    raise KeyboardInterrupt
                self._stop = True

            for sig in (signal.SIGINT, signal.SIGTERM):
                handlers[sig] = signal.signal(sig, on_signal)
        status = "failed"  # unless the loop below ends, or is interrupted
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
            status = "failed"
        finally:
            if self._stop and status == "done":
                s.interrupted = True
                status = "interrupted"
            s.seconds = time.monotonic() - start
            try:
                self._finish(status)
            finally:
                for sig, old in handlers.items():
                    signal.signal(sig, old)
        return s

    def _finish(self, status: str) -> None:
        # Commit what was received even if a second Ctrl-C arrives while doing so.
        old = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
        try:
            self._flush(force=True)
            if self.store is not None and self.summary.run_id is not None:
                s = self.summary
                self.store.finish_run(s.run_id, status, total=s.total, decided=s.decided, reused=s.reused,
                                      errors=s.errors, counts=s.as_dict(), seconds=s.seconds)
        finally:
            if old is not None:
                signal.signal(signal.SIGINT, old)

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
                self._emit(decide(self.book, item, self.as_of, self._backend), False)
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
        window: deque[tuple[list[Row | None], Future | None]] = deque()
        limit = max(2, 4 * self.jobs)
        global _BOOK
        forking = "fork" in multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if forking else "spawn")
        if forking:
            _BOOK = self.book  # inherited by the forked workers
        pool = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_init_worker,
                                   initargs=(None if forking else self.rules_path, self.as_of, self.backend))
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
            _BOOK = None

    def _drain(self, entry: tuple[list[Row | None], Future | None]) -> None:
        slots, future = entry
        decided = iter(_result(future) if future is not None else ())
        for row in slots:
            if row is not None:
                self._emit(row, True)
            else:
                self._emit(next(decided), False)
        self._tick()


def _result(future: Future) -> list[Row]:
    # Wait in short steps so that Ctrl-C is noticed promptly.
    while True:
        try:
            return future.result(timeout=0.25)
        except TimeoutError:
            continue


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def screen(book: RuleBook, paths: Iterable[str | Path], as_of: _dt.date | None = None) -> Iterator[Row]:
    """Decide each input under ``paths`` in this process, one row at a time (no store, no resume)."""
    for item in iter_items([str(p) for p in paths]):
        yield decide(book, item, as_of)


_DECISION_ZH = {"approve": "准予许可", "reject": "不予许可", "needs_correction": "需补正材料", "refer": "转人工审查", "error": "输入有误"}


def summary_line(s: Summary) -> str:
    """The line every run ends with: counts per decision, errors, how many decided now, speed."""
    parts = "，".join(f"{_DECISION_ZH[k]} {v}" for k, v in s.as_dict().items())
    line = f"共 {s.total} 件：{parts}"
    if s.reused:
        line += f"；新审查 {s.decided} 件，沿用已有结果 {s.reused} 件"
    return line + f"；用时 {s.seconds:.1f} 秒，{s.rate:,.0f} 件/秒"
