"""Screening results as text: a table for people, JSON Lines and CSV for programs.

- ``jsonl``: one JSON object per line. A decided case is exactly the decision contract
  (``Decision.to_dict()``, the same text ``json.dumps(..., ensure_ascii=False)`` gives); an input
  that could not be decided is ``{"case_id", "source", "error": [diagnostic, ...]}``.
- ``csv``: a header ``case_id,decision,findings,source`` then one row per input; ``findings`` holds
  the failing rule ids separated by spaces, or for an error row (``decision`` = ``error``) each
  problem as ``CODE file:line:col message``, separated by `` | ``. A cell a spreadsheet would run
  as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: a case id
  ``=HYPERLINK(…)`` in a submitted file, say) is written with a leading ``'`` (OWASP's rule).
- ``table``: the case id, the decision in Chinese and the failing rule ids; an error row is
  followed by its problems, indented.

Writers take ``store.Row`` values one at a time and write to any text stream, so an export of
any size streams.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Callable, TextIO

from ..engine.decision import DECISION_ZH
from .rows import Row, decision_line

FORMATS = ("table", "jsonl", "csv")
CSV_HEADER = ["case_id", "decision", "findings", "source"]
ERROR_ZH = "输入有误"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (a Chinese character takes two)."""
    return text + " " * max(0, width - _width(text))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_field(text: str) -> str:
    # RFC 4180 by hand: the csv module leaves a lone CR unquoted when lines end in LF, and a
    # spreadsheet then splits that row in two.
    if "," in text or '"' in text or "\r" in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_line(cells: list[str]) -> str:
    return ",".join(_csv_field(c) for c in cells) + "\n"


def label_zh(decision: str) -> str:
    return DECISION_ZH.get(decision, ERROR_ZH)


def _problems(row: Row) -> list[dict]:
    return json.loads(row.errors) if row.errors else []


def _where(p: dict) -> str:
    if not p.get("file"):
        return ""
    return f"{p['file']}:{p['line']}:{p['col']}"


def problem_text(p: dict) -> str:
    """One diagnostic of an error row as ``file:line:col: error CODE: message`` (what ``check`` prints)."""
    where = _where(p)
    text = f"{where + ': ' if where else ''}{p.get('severity', 'error')} {p['code']}: {p['message']}"
    if p.get("hint"):
        text += f"\n  提示: {p['hint']}"
    return text


def error_line(row: Row) -> str:
    return json.dumps({"case_id": row.case_id, "source": row.source, "error": _problems(row)}, ensure_ascii=False)


class Writer:
    """Writes rows in one format to ``out``; ``rulesets_of(row)`` gives a row's rule sets as JSON text."""

    def __init__(self, fmt: str, out: TextIO, rulesets_of: Callable[[Row], str]):
        if fmt not in FORMATS:
            raise ValueError(fmt)
        self.fmt = fmt
        self.out = out
        self.rulesets_of = rulesets_of
        if fmt == "csv":
            out.write(_csv_line(CSV_HEADER))

    def write(self, row: Row) -> None:
        if self.fmt == "jsonl":
            line = error_line(row) if row.is_error else decision_line(row, self.rulesets_of(row))
            self.out.write(line + "\n")
        elif self.fmt == "csv":
            if row.is_error:
                findings = " | ".join(f"{p['code']} {_where(p)} {p['message']}".replace("  ", " ") for p in _problems(row))
            else:
                findings = row.failing
            self.out.write(_csv_line([_cell(row.case_id), row.decision, _cell(findings), _cell(row.source)]))
        else:
            line = f"{_pad(row.case_id, 44)} {_pad(label_zh(row.decision), 10)} {row.failing}"
            self.out.write(line.rstrip() + "\n")
            for p in _problems(row):
                self.out.write("    " + problem_text(p).replace("\n", "\n    ") + "\n")
