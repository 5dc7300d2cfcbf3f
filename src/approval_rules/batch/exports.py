"""Screening results as text: a table for people, JSON Lines and CSV for programs.

- ``jsonl``: one JSON object per line. A decided case is exactly the decision contract
  (``Decision.to_dict()``, the same text ``json.dumps(..., ensure_ascii=False)`` gives); an input
  that could not be decided is ``{"case_id", "source", "error": [diagnostic, ...]}``.
- ``csv``: a header ``case_id,decision,decision_zh,findings,source`` then one row per input
  (``decision_zh`` the decision in Chinese); ``findings`` holds
  the failing rule ids separated by spaces, or for an error row (``decision`` = ``error``) each
  problem as ``CODE file:line:col message``, separated by `` | ``. A cell a spreadsheet would run
  as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: a case id
  ``=HYPERLINK(…)`` in a submitted file, say) is written with a leading ``'`` (OWASP's rule).
  With ``excel``, the file starts with a UTF-8 byte-order mark: Excel on Chinese Windows
  otherwise reads it as GBK and garbles every Chinese cell.
- ``table``: a legend and a header, then per input the case id, the decision in Chinese, the
  number of notices (findings of rules that only inform) and the rule ids that decided the case
  (failed, or could not be decided); an error row is followed by its problems, indented. Widths
  count a Chinese character as two columns; a case id too long for its column gets a line of its
  own, the rest of the row aligned below it.

Writers take ``store.Row`` values one at a time and write to any text stream, so an export of
any size streams.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any, Callable, TextIO

from ..engine.decision import DECISION_ZH
from .rows import Row, decision_line

FORMATS = ("table", "jsonl", "csv")
CSV_HEADER = ["case_id", "decision", "decision_zh", "findings", "source"]
ERROR_ZH = "输入有误"
ID_WIDTH, DECISION_WIDTH, INFO_WIDTH = 44, 10, 4
TABLE_LEGEND = (
    "说明：决定为 准予许可、不予许可、需补正材料、转人工审查 或 输入有误；“问题规则”为不符合或无法判断、影响决定的规则；\n"
    "      “提示”为仅供参考、不影响决定的规则条数（详见 --format jsonl 或 report）；输入有误的，其下缩进列出问题。\n"
)


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


def _table_line(case_id: str, decision: str, notices: str, rules: str) -> str:
    right = " " * max(0, INFO_WIDTH - _width(notices)) + notices
    line = f"{_pad(case_id, ID_WIDTH)}  {_pad(decision, DECISION_WIDTH)}  {right}  {rules}"
    return line.rstrip() + "\n"


def _split(row: Row) -> tuple[list[str], int]:
    """The rule ids that decided the case, and how many findings only inform (effect ``info``)."""
    if row.is_error:
        return row.failing.split(), 0
    try:
        findings = json.loads(row.findings or "[]")
        deciding = [f["rule_id"] for f in findings if f.get("effect") != "info"]
    except (ValueError, TypeError, KeyError, AttributeError):  # a damaged stored row: what it says it failed
        return row.failing.split(), 0
    return deciding, len(findings) - len(deciding)


def label_zh(decision: str) -> str:
    return DECISION_ZH.get(decision, ERROR_ZH)


def _problems(row: Row) -> list[dict[str, Any]]:
    return json.loads(row.errors) if row.errors else []


def _where(p: dict[str, Any]) -> str:
    if not p.get("file"):
        return ""
    return f"{p['file']}:{p['line']}:{p['col']}"


def problem_text(p: dict[str, Any]) -> str:
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

    def __init__(self, fmt: str, out: TextIO, rulesets_of: Callable[[Row], str], excel: bool = False):
        if fmt not in FORMATS:
            raise ValueError(fmt)
        self.fmt = fmt
        self.out = out
        self.rulesets_of = rulesets_of
        if fmt == "csv":
            out.write(("\ufeff" if excel else "") + _csv_line(CSV_HEADER))
        elif fmt == "table":
            out.write(TABLE_LEGEND + _table_line("案卷编号", "决定", "提示", "问题规则")
                      + _table_line("-" * ID_WIDTH, "-" * DECISION_WIDTH, "-" * INFO_WIDTH, "-" * 8))

    def write(self, row: Row) -> None:
        if self.fmt == "jsonl":
            line = error_line(row) if row.is_error else decision_line(row, self.rulesets_of(row))
            self.out.write(line + "\n")
        elif self.fmt == "csv":
            if row.is_error:
                findings = " | ".join(f"{p['code']} {_where(p)} {p['message']}".replace("  ", " ") for p in _problems(row))
            else:
                findings = row.failing
            self.out.write(_csv_line([_cell(row.case_id), row.decision, label_zh(row.decision), _cell(findings),
                                      _cell(row.source)]))
        else:
            deciding, notices = _split(row)
            case_id = row.case_id
            if _width(case_id) > ID_WIDTH:
                self.out.write(case_id + "\n")
                case_id = ""
            self.out.write(_table_line(case_id, label_zh(row.decision), str(notices) if notices else "", " ".join(deciding)))
            for p in _problems(row):
                self.out.write("    " + problem_text(p).replace("\n", "\n    ") + "\n")
