"""Rule coverage from evaluation traces: which rules, cited articles and sub-conditions the cases exercise.

Coverage counts the trace events of the compiled evaluator (the same trace ``explain``
prints), as OPA's coverage is a tracer. Three kinds of item:

- rule: some case made it fail, and some case made it pass (applicable and satisfied);
- article: some case failed, and some case passed, a rule citing that article of that law version;
- condition: each operand of an ``and``/``or`` was shown to decide the outcome on its own
  (masking MC/DC: in some evaluation it alone made the ``and`` false or the ``or`` true, and
  in some evaluation that ``and``/``or`` took the other value).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..engine.closures import Trace
from ..engine.book import CitationRef, CompiledRule, Condition, RuleBook
from ..core.diagnostics import SourcePos
from ..engine.evaluator import RuleTrace
from ..lang.expr import BoolOp, Node, walk
from ..lang.prose import Prose
from ..lang.values import UNKNOWN


@dataclass
class Item:
    """One coverage item; for a condition, ``failed_by`` lists the cases where the operand alone
    decided the and/or, ``passed_by`` those where the and/or took the other value."""

    kind: str  # rule | article | condition
    key: str
    title: str
    pos: SourcePos
    failed_by: list[str] = field(default_factory=list)
    passed_by: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.failed_by) and bool(self.passed_by)

    def lacking(self) -> str:
        if self.kind == "condition":
            if not self.failed_by:
                return "没有案例显示该子条件能单独决定结果"
            return "没有案例使该组合条件取相反的值"
        parts = []
        if not self.failed_by:
            parts.append("没有不符合的案例")
        if not self.passed_by:
            parts.append("没有符合的案例")
        return "，".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "key": self.key, "title": self.title, "file": self.pos.file, "line": self.pos.line,
            "col": self.pos.col, "covered": self.covered, "failed_by": self.failed_by, "passed_by": self.passed_by,
        }


@dataclass
class CoverageReport:
    items: list[Item]

    def of(self, kind: str) -> list[Item]:
        return [i for i in self.items if i.kind == kind]

    def percent(self, kind: str | None = None) -> float:
        items = self.of(kind) if kind else self.items
        return 100.0 * sum(i.covered for i in items) / len(items) if items else 100.0

    def uncovered(self, kind: str | None = None) -> list[Item]:
        return [i for i in (self.of(kind) if kind else self.items) if not i.covered]

    def to_dict(self) -> dict[str, Any]:
        kinds = ("rule", "article", "condition")
        return {
            "percent": round(self.percent(), 2),
            "by_kind": {k: {"items": len(self.of(k)), "covered": len(self.of(k)) - len(self.uncovered(k)), "percent": round(self.percent(k), 2)} for k in kinds},
            "items": [i.to_dict() for i in self.items],
        }


class _Collector:
    def __init__(self, book: RuleBook):
        self.rules: dict[int, Item] = {}
        self.articles: dict[tuple[Any, ...], Item] = {}
        self.conditions: dict[tuple[int, BoolOp, int], Item] = {}
        self.flipped: dict[tuple[int, Node], dict[Any, list[str]]] = {}
        for rule in book.rules:
            self.rules[id(rule)] = Item("rule", _rule_key(rule), rule.title, rule.pos)
            for c in rule.citations:
                key = _article_key(c)
                if key not in self.articles:
                    where = f"第{c.article}条" if c.article is not None else "（条文号待核实）"
                    version = f"（{c.law_version}施行版本）" if c.pinned else ""
                    self.articles[key] = Item("article", f"《{c.law}》{version}{where}", c.law, rule.pos)
            titles = {n: d.title for n, d in rule.definitions.items()}
            for cond in (rule.when, rule.require):
                prose = Prose(cond.checked, titles)
                part = "when" if cond is rule.when else "require"
                groups = [n for n in walk(cond.node) if isinstance(n, BoolOp)]
                for g, node in enumerate(groups, 1):
                    for i, operand in enumerate(node.operands, 1):
                        label = f"{rule.id} {part} {g}.{i}" if len(groups) > 1 else f"{rule.id} {part} {i}"
                        self.conditions[(id(rule), node, i - 1)] = Item(
                            "condition", label, prose.cond(operand), cond.positions(operand)
                        )

    def add(self, case: str, day: _dt.date, traces: list[RuleTrace]) -> None:
        for rt in traces:
            rule = rt.rule
            item = self.rules[id(rule)]
            if rt.outcome in ("fail", "pass"):
                (item.failed_by if rt.outcome == "fail" else item.passed_by).append(case)
                for c in rule.citations_at(day):
                    art = self.articles[_article_key(c)]
                    target = art.failed_by if rt.outcome == "fail" else art.passed_by
                    if case not in target:
                        target.append(case)
            self._conditions(case, rule, rule.when, rt.when_trace)
            if rt.require_trace is not None:
                self._conditions(case, rule, rule.require, rt.require_trace)

    def _conditions(self, case: str, rule: CompiledRule, cond: Condition, trace: Trace) -> None:
        last: dict[Node, Any] = {}
        for node, value in trace.events:
            if isinstance(node, BoolOp) and (id(rule), node, 0) in self.conditions:
                values = [last.get(o, UNKNOWN) for o in node.operands]
                decide = node.op == "or"  # an operand decides an or when true, an and when false
                seen = self.flipped.setdefault((id(rule), node), {}).setdefault(value, [])
                if case not in seen:
                    seen.append(case)
                for i, v in enumerate(values):
                    others = values[:i] + values[i + 1:]
                    if v is decide and all(o is (not decide) for o in others):
                        item = self.conditions[(id(rule), node, i)]
                        if case not in item.failed_by:
                            item.failed_by.append(case)
            last[node] = value

    def report(self) -> CoverageReport:
        for (rule_id, node, _), item in self.conditions.items():
            # The whole and/or must also have taken the value its operand did not force.
            item.passed_by = list(self.flipped.get((rule_id, node), {}).get(node.op == "and", []))
        items = list(self.rules.values()) + list(self.articles.values()) + list(self.conditions.values())
        return CoverageReport(items)


def _article_key(c: CitationRef) -> tuple[Any, ...]:
    # A citation that is not pinned to a version cites the same article in every version.
    return (c.law, c.law_version if c.pinned else None, c.article)


def _rule_key(rule: CompiledRule) -> str:
    eff = rule.effective
    return f"{rule.id}（{eff.start}起{'至' + str(eff.end) if eff.end else ''}）"


def coverage(book: RuleBook, traced: Iterable[tuple[str, Any, list[RuleTrace]]]) -> CoverageReport:
    """Coverage of ``book`` by traced cases, each given as (case name, decision date, traces)."""
    collector = _Collector(book)
    for case, day, traces in traced:
        collector.add(case, day, traces)
    return collector.report()


def render_text(report: CoverageReport) -> str:
    names = {"rule": "规则", "article": "引用条文", "condition": "子条件"}
    lines = ["覆盖率："]
    for kind, name in names.items():
        items = report.of(kind)
        lines.append(f"  {name}：{len(items) - len(report.uncovered(kind))}/{len(items)}（{report.percent(kind):.1f}%）")
    lines.append(f"  合计：{report.percent():.1f}%")
    missing = report.uncovered()
    if missing:
        lines.append("未覆盖：")
        for item in missing:
            lines.append(f"  {item.pos.file}:{item.pos.line}: {names[item.kind]} {item.key}：{item.lacking()}（{item.title}）")
    return "\n".join(lines)
