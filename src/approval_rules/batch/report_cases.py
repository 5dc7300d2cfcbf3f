"""The report's case table: every case, as compact JSON that a small inline script pages through.

At 100,000 cases an HTML row per case (and a findings block per case) makes a page of hundreds of
megabytes; instead each case is one JSON array, and every string many cases share (rule ids,
titles, messages, missing facts, citations, dates, input files) is written once in a string table
and referred to by its index. Layout (read by ``templates/report.js``):

- ``s``: the string table; ``k``: the decision keys (the index ``dec`` below refers to them);
- ``r``: one entry per rule: ``[id, title, effect, citations]`` (string indices; effect a key);
- ``c``: one entry per case: ``[case_id, enterprise, credit_code, application_id, dec, file,
  line, as_of, findings]``: the first four as text (``""`` where not given), ``file`` and
  ``as_of`` string indices (``line`` 0 when the input was a whole file); ``findings`` a list of
  ``[rule, unknown, message, missing...]`` (``rule`` an ``r`` index, ``unknown`` 1 when the
  rule could not be decided, the rest string indices), or for an input that could not be decided
  its problems as ``[code, message, where, hint]`` (string indices, ``hint`` -1 when none).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from markupsafe import Markup

from .rows import Row

_LINE = re.compile(r"^(.*):(\d+)$")


class CaseTable:
    """Cases added one at a time (in the order shown), written out once as JSON."""

    def __init__(self, kinds: tuple[str, ...], citation: Callable[[dict[str, Any]], str]):
        self.kinds = kinds
        self._kind = {k: i for i, k in enumerate(kinds)}
        self._citation = citation
        self.strings: list[str] = []
        self._string: dict[str, int] = {}
        self.rules: list[list[int | str]] = []
        self._rule: dict[str, int] = {}
        self.cases: list[list[Any]] = []

    def _s(self, text: Any) -> int:
        text = "" if text is None else str(text)
        i = self._string.get(text)
        if i is None:
            i = self._string[text] = len(self.strings)
            self.strings.append(text)
        return i

    def _r(self, f: dict[str, Any]) -> int:
        i = self._rule.get(f["rule_id"])
        if i is None:
            cites = "；".join(self._citation(c) for c in f.get("citations") or [])
            i = self._rule[f["rule_id"]] = len(self.rules)
            self.rules.append([self._s(f["rule_id"]), self._s(f.get("title")), str(f.get("effect") or ""), self._s(cites)])
        return i

    def add(self, row: Row, parts: list[dict[str, Any]]) -> None:
        m = _LINE.match(row.source)
        file, line = (m.group(1), int(m.group(2))) if m else (row.source, 0)
        if row.is_error:
            found: list[list[int]] = [
                [self._s(p.get("code")), self._s(p.get("message")), self._s(_where(p)),
                 self._s(p["hint"]) if p.get("hint") else -1]
                for p in parts
            ]
        else:
            found = [[self._r(f), int(f.get("outcome") == "unknown"), self._s(f.get("message")),
                      *(self._s(x) for x in f.get("missing") or [])] for f in parts]
        self.cases.append([row.case_id, row.enterprise or "", row.credit_code or "", row.application_id or "",
                           self._kind[row.decision], self._s(file), line, self._s(row.as_of), found])

    def json(self) -> Markup:
        """The table as JSON text safe inside ``<script type="application/json">``: ``<``, ``>`` and
        ``&`` escaped (as ``\\u003c`` …), the rest as UTF-8, not ``\\u`` escapes (a third the size)."""
        text = json.dumps({"s": self.strings, "k": list(self.kinds), "r": self.rules, "c": self.cases},
                          ensure_ascii=False, separators=(",", ":"))
        return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _where(p: dict[str, Any]) -> str:
    return f"{p.get('file')}:{p.get('line')}:{p.get('col')}" if p.get("file") else ""
