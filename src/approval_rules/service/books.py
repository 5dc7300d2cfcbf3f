"""The rule book a worker decides with: loaded from the active bundle, compiled, warmed, swapped on reload.

A request takes ``Books.current`` once and keeps that ``Active`` to the end, so a request in
flight finishes on the book it started with and the log records the revision it used. A reload
builds the new ``Active`` completely (compiled and warmed) before one attribute assignment
makes it current.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..authoring.casetest import case_files
from ..core.diagnostics import ApprovalRulesError
from ..engine.book import RuleBook
from ..engine.compiler import compile_rules
from ..engine.contract import RuleSetRefDict
from ..engine.evaluator import evaluate
from ..ruleset.loader import load_project, load_rules
from .library import Library
from .records import now_iso

log = logging.getLogger("approval_rules.service")


@dataclass
class Active:
    revision: str
    book: RuleBook
    root: Path  # the unpacked bundle: rules/, cases/, manifest.json
    activated_at: str
    warmed: int = 0  # routing plans compiled ahead of the first request
    _covers: dict[str, list[str]] | None = field(default=None, repr=False)

    @property
    def rulesets(self) -> list[RuleSetRefDict]:
        return [r.to_dict() for r in self.book.refs]

    def case_paths(self) -> list[Path]:
        return case_files([self.root / "cases"]) if (self.root / "cases").is_dir() else []

    def covers(self) -> dict[str, list[str]]:
        """Rule id → the bundled cases in which the rule applied (passed or found), computed once."""
        if self._covers is None:
            out: dict[str, list[str]] = {}
            for path in self.case_paths():
                try:
                    d = evaluate(self.book, load_project(path).project)
                except ApprovalRulesError:
                    continue
                name = path.relative_to(self.root / "cases").as_posix()
                for rule_id in {*d.passed, *(f.rule_id for f in d.findings)}:
                    out.setdefault(rule_id, []).append(name)
            self._covers = out
        return self._covers


def warm(book: RuleBook, paths: list[Path]) -> int:
    """Decide every bundled case once so that the routing plans they meet are compiled (≈3 ms each, cold)."""
    done = 0
    for path in paths:
        try:
            project = load_project(path).project
        except ApprovalRulesError:
            continue
        evaluate(book, project)
        evaluate(book, project, as_of=_dt.date.today())
        done += 1
    return len(book._plans) if done else 0


def load_active(library: Library, revision: str) -> Active:
    root = library.path(revision)
    book = compile_rules(load_rules(root / "rules"))
    active = Active(revision, book, root, now_iso())
    active.warmed = warm(book, active.case_paths())
    return active


class Books:
    """One per worker: the current ``Active`` and the check of the ACTIVE pointer (at most once per ``every`` seconds)."""

    def __init__(self, library: Library, every: float = 1.0):
        self.library = library
        self.every = every
        self.current: Active | None = None
        self._checked = 0.0
        self._stamp: Any = None
        self._lock = threading.Lock()
        self._loading = False

    def _pointer_stamp(self) -> Any:
        try:
            st = os.stat(self.library.root / "ACTIVE")
            return (st.st_mtime_ns, st.st_ino, st.st_size)
        except OSError:
            return None

    def refresh(self, force: bool = False) -> bool:
        """Load the active revision if it changed; True when a new book became current."""
        now = time.monotonic()
        if not force and now - self._checked < self.every:
            return False
        self._checked = now
        stamp = self._pointer_stamp()
        if not force and stamp == self._stamp:
            return False
        if self._loading and not force:
            return False  # look again once the book being compiled is in place
        revision = self.library.active_revision()
        self._stamp = stamp
        if revision is None or (self.current is not None and self.current.revision == revision):
            return False
        if force:
            return self._load(revision)
        self._loading = True  # keep answering with the current book while the new one compiles
        threading.Thread(target=self._load, args=(revision,), daemon=True).start()
        return False

    def _load(self, revision: str) -> bool:
        try:
            active = load_active(self.library, revision)
        except (ApprovalRulesError, OSError) as exc:  # validated when installed; only a damaged disk gets here
            log.error("无法加载规则包 %s：%s", revision, exc)
            return False
        finally:
            self._loading = False
        with self._lock:
            if self.library.active_revision() == revision:
                self.current = active
        return True

    def use(self, active: Active) -> None:
        """Make a book built elsewhere in this process current (the worker that validated an upload)."""
        with self._lock:
            self.current = active
            self._stamp = self._pointer_stamp()
