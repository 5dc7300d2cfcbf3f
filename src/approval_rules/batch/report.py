"""The screening report: one self-contained HTML file that reviewers read in any browser.

Built from a results store alone (``approval-rules report DB -o report.html``), it shows:

1. counts by decision (with shares, and a stacked bar);
2. counts by rule set (cases a rule set applied to, by decision);
3. the most frequent failing rules, with their citations, as an inline-SVG bar chart;
4. what the cases that need correction (补正) must supply, one collapsed entry per rule;
5. every case, in tabs per decision with their counts, a page at a time, searchable by
   enterprise name, 统一社会信用代码, application id, case id, rule id and message text, each
   case's findings (messages, missing facts, citations) shown when opened; and the runs.

The page is rendered from Jinja2 templates (``templates/``, autoescaped). The cases travel as
compact JSON (``report_cases``) that an inline script pages through, so the page stays a few
dozen bytes per case at any size. Everything is inline: no external scripts, fonts or style
sheets, so the file can be mailed or archived as it is. All of it is gathered in one streaming
pass over the store.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..engine.decision import DECISION_ZH, CitationOut
from ..engine.render import citation_text
from .report_cases import CaseTable
from .rows import DECISIONS, Row, read_back
from .store import Store

ORDER = ("error", "reject", "needs_correction", "refer", "approve")  # most serious first
UNREADABLE = "unreadable"  # a stored row whose cells no longer parse: shown as such, never a crash
LABEL = {**DECISION_ZH, "error": "输入有误", UNREADABLE: "数据已损坏"}
COLOR = {"approve": "#2e7d32", "reject": "#c62828", "needs_correction": "#e08600", "refer": "#1565c0", "error": "#6d6d6d",
         UNREADABLE: "#000000"}
STATUS_ZH = {"done": "完成", "interrupted": "已中断", "aborted": "异常终止", "running": "进行中", "failed": "失败"}
TOP_RULES = 15
EXAMPLES = 20  # case ids listed under each correction, before "show all in the case table"
PAGE_SIZE = 50

_ENV = Environment(
    loader=PackageLoader("approval_rules.batch", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    trim_blocks=True, lstrip_blocks=True,
)


def _citation(c: dict[str, Any]) -> str:
    try:
        version = _dt.date.fromisoformat(c["law_version"])
    except (KeyError, TypeError, ValueError):
        return f"《{c.get('law', '')}》"
    return citation_text(CitationOut(c.get("law", ""), version, c.get("article"), c.get("clause"), c.get("item"),
                                     bool(c.get("verified")), c.get("note")))


@dataclass
class RuleStat:
    rule_id: str
    title: str
    ruleset: str
    cases: int = 0
    unknown: int = 0
    effects: Counter[str] = field(default_factory=Counter)
    citations: list[str] = field(default_factory=list)


@dataclass
class Correction:
    """One rule that sends cases to 补正: how many, what they lack, the first few of them."""

    rule_id: str
    title: str
    cases: int = 0
    missing: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)


@dataclass
class Facts:
    """What the report needs, gathered in one pass over the store."""

    table: CaseTable
    counts: Counter[str] = field(default_factory=Counter)
    by_ruleset: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    rules: dict[str, RuleStat] = field(default_factory=dict)
    corrections: dict[str, Correction] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _dicts(text: str | None) -> list[dict[str, Any]] | None:
    """A JSON list of objects (findings, an error row's problems), or None where it does not read."""
    try:
        value = json.loads(text) if text else []
    except (ValueError, TypeError, RecursionError):
        return None
    return value if isinstance(value, list) and all(isinstance(v, dict) for v in value) else None


def _parts(row: Row) -> tuple[Row, list[dict[str, Any]]]:
    """The row and its findings (an error row: its problems); an unreadable row as ``UNREADABLE``."""
    parts: list[dict[str, Any]] | None
    if row.decision == "error":
        parts = _dicts(row.errors)
        if parts is not None and not all(isinstance(p.get("code"), str) for p in parts):
            parts = None
    else:
        d = read_back(row)
        parts = d["findings"] if d is not None else None
    texts = (row.case_id, row.source, row.enterprise, row.credit_code, row.application_id)
    if parts is None or not all(isinstance(t, (str, type(None))) for t in texts) or row.case_id is None:
        return row._replace(decision=UNREADABLE, case_id=str(row.case_id), source=str(row.source), failing="",
                            applied="", enterprise=None, credit_code=None, application_id=None), []
    return row, parts


def _wants_correction(f: dict[str, Any]) -> bool:
    return f.get("effect") != "info" and (f.get("outcome") == "unknown" or f.get("effect") == "needs_correction")


def gather(store: Store, run_id: int | None = None, limit: int | None = None) -> Facts:
    kinds = (UNREADABLE, *ORDER)
    facts = Facts(CaseTable(kinds, _citation))
    for stored, _run in store.rows(run_id, order="severity"):
        row, findings = _parts(stored)
        facts.counts[row.decision] += 1
        for rs in (row.applied or "").split():
            facts.by_ruleset[rs][row.decision] += 1
        for f in findings if row.decision != "error" else ():
            stat = facts.rules.get(f["rule_id"])
            if stat is None:
                stat = facts.rules[f["rule_id"]] = RuleStat(
                    f["rule_id"], f.get("title", ""), f.get("ruleset", ""),
                    citations=[_citation(c) for c in f.get("citations", [])],
                )
            stat.cases += 1
            stat.unknown += f.get("outcome") == "unknown"
            stat.effects[f.get("effect", "")] += 1
            if row.decision == "needs_correction" and _wants_correction(f):
                fix = facts.corrections.setdefault(f["rule_id"], Correction(f["rule_id"], f.get("title", "")))
                fix.cases += 1
                fix.missing.update(f.get("missing") or [])
                if len(fix.examples) < EXAMPLES:
                    fix.examples.append(row.case_id)
        if limit is None or len(facts.table.cases) < limit:
            facts.table.add(row, findings)
    return facts


# --- the page ---------------------------------------------------------------------------------


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "0%"


def _bar(counts: Counter[str], total: int, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    """The stacked bar's segments, in a 1000-wide view box."""
    x, out = 0.0, []
    for k in kinds:
        n = counts.get(k, 0)
        if n and total:
            w = 1000 * n / total
            out.append({"x": round(x, 2), "w": round(w, 2), "color": COLOR[k], "title": f"{LABEL[k]} {n}"})
            x += w
    return out


def _chart(stats: list[RuleStat]) -> dict[str, Any]:
    """Horizontal bars, one per rule: the cases where it failed (in the colour of its effect) and,
    stacked after them, the cases where it could not be decided for a missing fact (hatched)."""
    label_w, bar_w, row_h, pad = 440, 460, 30, 10
    top = max((s.cases for s in stats), default=1)
    bars = []
    for i, s in enumerate(stats):
        failed = s.cases - s.unknown
        effect = s.effects.most_common(1)[0][0] if s.effects else ""
        w_fail, w_unknown = bar_w * failed / top, bar_w * s.unknown / top
        bars.append({
            "stat": s, "y": pad + i * row_h, "failed": failed, "color": COLOR.get(effect if effect in DECISIONS else "", "#6d6d6d"),
            "w_fail": round(max(w_fail, 2), 1), "w_unknown": round(max(w_unknown, 2), 1), "x_unknown": round(label_w + w_fail, 1),
            "x_count": round(label_w + w_fail + w_unknown + 6, 1),
            "short": s.title if len(s.title) <= 22 else s.title[:21] + "…",
        })
    return {"bars": bars, "label_w": label_w, "row_h": row_h, "width": label_w + bar_w + 90, "height": pad * 2 + row_h * len(stats)}


def render(store: Store, run_id: int | None = None, title: str | None = None, limit: int | None = None) -> str:
    facts = gather(store, run_id, limit)
    total = facts.total
    kinds = ((UNREADABLE,) if facts.counts.get(UNREADABLE) else ()) + ORDER
    stats = sorted(facts.rules.values(), key=lambda s: (-s.cases, s.rule_id))[:TOP_RULES]
    runs = store.runs()
    for r in runs:
        refs = _dicts(r["rulesets"])
        r["sets"] = "、".join(f"{x.get('id')} {x.get('version')}" for x in refs) if refs is not None else "（无法读取）"
        r["status_zh"] = STATUS_ZH.get(r["status"], r["status"])
    summary = {"total": total, "counts": {k: facts.counts.get(k, 0) for k in kinds}}
    return _ENV.get_template("report.html").render(
        title=title or "安全生产行政许可批量审查报告",
        path=store.path,
        scope=f"第 {run_id} 次运行所含的案卷" if run_id is not None else "结果库中的全部案卷",
        now=_dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"),
        total=total, shown=len(facts.table.cases), kinds=kinds, decisions=DECISIONS, counts=facts.counts,
        label=LABEL, color=COLOR, pct=_pct, bar=_bar(facts.counts, total, kinds),
        by_ruleset=sorted(facts.by_ruleset.items()), stats=stats, chart=_chart(stats),
        corrections=sorted(facts.corrections.values(), key=lambda c: (-c.cases, c.rule_id)),
        runs=runs, page_size=PAGE_SIZE, examples=EXAMPLES, cases_json=facts.table.json(),
        summary=summary,
    )


html_report = render
