"""Screen many project files: one compiled rule book, one row per file, never stopping on a bad file."""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .casetest import case_files
from .compiler import RuleBook
from .decision import Decision
from .diagnostics import ApprovalRulesError, Diagnostic
from .engine import evaluate
from .loader import load_project


@dataclass
class ScreenRow:
    source: str
    decision: Decision | None = None
    errors: list[Diagnostic] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.decision.decision if self.decision else "error"


def screen(book: RuleBook, paths: Iterable[str | Path], as_of: _dt.date | None = None) -> Iterator[ScreenRow]:
    """Decide each project file under ``paths``; a file that cannot be read becomes an error row."""
    for path in case_files(paths):
        try:
            loaded = load_project(path)
            d = evaluate(book, loaded.project, as_of, case_id=loaded.project.case_id or path.stem)
        except ApprovalRulesError as exc:
            yield ScreenRow(str(path), errors=exc.diagnostics)
            continue
        yield ScreenRow(str(path), d)


def counts(rows: Iterable[ScreenRow]) -> Counter[str]:
    return Counter(r.status for r in rows)
