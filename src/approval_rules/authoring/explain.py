"""Explain a decision rule by rule: each condition tree with the value of every sub-condition.

Built from the engine's trace (``engine.trace_case``), the same trace coverage counts, so
what ``explain`` shows is exactly what the evaluation saw.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..engine.closures import Trace
from ..engine.book import Condition, DefinitionInfo, RuleBook
from ..engine.evaluator import Backend, RuleTrace, decision_date, format_value, prepare, trace_case
from ..ruleset.models import Profile
from ..lang.expr import BoolOp, Call, ListLit, Literal, Node, Not, Period, children
from ..model.project import ProjectFile
from ..lang.prose import Prose
from ..lang.values import UNKNOWN

OUTCOME_ZH = {"not_applicable": "不适用", "pass": "符合", "fail": "不符合", "unknown": "无法判断（缺少事实）"}


def _display(value: Any, t: Any) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is UNKNOWN:
        return "不知道"
    if isinstance(value, Period):
        return f"{value.amount} {value.unit}"
    if isinstance(value, list) and value and hasattr(value[0], "model_dump"):
        return f"共 {len(value)} 项"
    return format_value(value, t)


def _json_value(value: Any) -> Any:
    if value is UNKNOWN:
        return None
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Period):
        return f"{value.amount} {value.unit}"
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return str(value)


class _Tree:
    """The condition tree of one traced condition, with every node's value(s)."""

    def __init__(self, cond: Condition | DefinitionInfo, trace: Trace, titles: dict[str, str], native: set[Node]):
        self.cond = cond
        self.native = native
        self.values: dict[Node, list[Any]] = {}
        for node, value in trace.events:
            self.values.setdefault(node, []).append(value)
        self.prose = Prose(cond.checked, titles)

    def node(self, node: Node, depth: int = 0, condition: bool = True) -> dict[str, Any]:
        vals = self.values.get(node, [])
        pos = self.cond.positions(node)
        t = self.cond.checked.types.get(node)
        out: dict[str, Any] = {
            "prose": self.prose.cond(node) if condition else self.prose.text(node),
            "values": [_json_value(v) for v in vals],
            "shown": [_display(v, t) for v in vals],
            "line": pos.line,
            "col": pos.col,
        }
        if node in self.native:
            out["decided_by"] = "native"
        kids = [c for c in children(node) if self._shows(node, c)]
        if kids and depth < 12:
            logical = isinstance(node, (BoolOp, Not))
            out["children"] = [self.node(c, depth + 1, condition=logical) for c in kids]
        return out

    @staticmethod
    def _shows(parent: Node, node: Node) -> bool:
        # Literals, periods and the document behind a presence test say nothing the parent's prose does not.
        if isinstance(parent, Call) and parent.name in ("exists", "submitted"):
            return False
        return not isinstance(node, (Literal, ListLit, Period))


def explain_rule(rt: RuleTrace, native: set[Node] = frozenset(), outcome: str | None = None) -> dict[str, Any]:
    """One rule's explanation; ``native`` marks sub-conditions another backend left to the native evaluator."""
    rule = rt.rule
    titles = {n: d.title for n, d in rule.definitions.items()}
    out: dict[str, Any] = {
        "rule_id": rule.id,
        "title": rule.title,
        "ruleset": rule.ruleset_id,
        "source": f"{rule.pos.file}:{rule.pos.line}:{rule.pos.col}",
        "effect": rule.effect,
        "outcome": outcome or rt.outcome,
        "when": {"value": _json_value(rt.when), "tree": _Tree(rule.when, rt.when_trace, titles, native).node(rule.when.node)},
        "facts": {},
    }
    traces = [rt.when_trace]
    if rt.require_trace is not None:
        out["require"] = {
            "value": _json_value(rt.require),
            "tree": _Tree(rule.require, rt.require_trace, titles, native).node(rule.require.node),
        }
        traces.append(rt.require_trace)
    for trace in traces:
        for label, value in trace.facts:
            if not isinstance(value, list):
                out["facts"].setdefault(label, _json_value(value) if value is not None else None)
    used = [d for n, d in rule.definitions.items() if n in out["facts"]]
    if used:
        out["definitions"] = {
            d.name: {"title": d.title, "value": out["facts"][d.name], "tree": _Tree(d, _merged(traces), titles, native).node(d.node)}
            for d in used
        }
    return out


def _merged(traces: list[Trace]) -> Trace:
    merged = Trace()
    for t in traces:
        merged.events += t.events
    return merged


def explain(
    book: RuleBook, project: ProjectFile, as_of: _dt.date | None = None, rule_id: str | None = None,
    include_not_applicable: bool = False, backend: Backend | None = None, profile: Profile | None = None,
) -> dict[str, Any]:
    """Every applicable rule (or one rule) with its condition trees, values and outcome.

    With another backend, each rule's outcome is that backend's, and the sub-conditions it
    leaves to the native evaluator are marked (``decided_by: native``).
    """
    day = decision_date(project, as_of)
    project, filled = prepare(book, project, day, profile)
    day, traces = trace_case(book, project, as_of)
    native: set[Node] = set(backend.native_nodes(book)) if hasattr(backend, "native_nodes") else set()
    outcomes: dict[int, str] = {}
    if backend is not None:
        _, verdicts = backend.verdicts(book, project, day)
        outcomes = {id(r): _OUTCOME_OF.get(v, "unknown") for r, v in verdicts}
    rules = [
        explain_rule(rt, native, outcomes.get(id(rt.rule)))
        for rt in traces
        if (rule_id is None or rt.rule.id == rule_id)
        and (include_not_applicable or rule_id or outcomes.get(id(rt.rule), rt.outcome) != "not_applicable")
    ]
    return {
        "case_id": project.case_id or project.application.id or "", "as_of": day.isoformat(),
        "backend": backend.name if backend is not None else "native", "rules": rules,
        "filled": {f.fact: {"kind": f.kind, "reason": f.reason, "source": f.source} for f in filled},
    }


_OUTCOME_OF = {None: "not_applicable", False: "pass", True: "fail"}
_FILLED_ZH = {"derive": "推算", "presume": "推定", "context": "部署配置"}


def render_text(report: dict[str, Any]) -> str:
    """The explanation as indented Chinese text."""
    lines = [f"案卷 {report['case_id'] or '（未编号）'}，决定日 {report['as_of']}，共 {len(report['rules'])} 条规则"]
    if report.get("backend", "native") != "native":
        lines[0] += f"（{report['backend']} 后端；标〔原生判定〕的子条件由原生求值器判定）"
    for r in report["rules"]:
        lines.append("")
        lines.append(f"【{OUTCOME_ZH[r['outcome']]}】{r['rule_id']} {r['title']}")
        lines.append(f"  位置：{r['source']}")
        lines.append(f"  适用条件：{_value_text(r['when']['value'])}")
        _tree_lines(r["when"]["tree"], lines, "    ")
        if "require" in r:
            lines.append(f"  要求：{_value_text(r['require']['value'])}")
            _tree_lines(r["require"]["tree"], lines, "    ")
        for name, d in r.get("definitions", {}).items():
            lines.append(f"  定义 {name}（{d['title']}）：{_value_text(d['value'])}")
            _tree_lines(d["tree"], lines, "    ")
        if r["facts"]:
            lines.append("  读取的事实：")
            for k, v in r["facts"].items():
                how = report.get("filled", {}).get(k)
                note = f"（{_FILLED_ZH[how['kind']]}：{how['reason']}）" if how else ""
                lines.append(f"    {k} = {'（未填报）' if v is None else v}{note}")
    return "\n".join(lines)


def _value_text(v: Any) -> str:
    return {True: "是", False: "否", None: "不知道"}.get(v, str(v)) if isinstance(v, (bool, type(None))) else str(v)


def _tree_lines(node: dict[str, Any], lines: list[str], indent: str) -> None:
    vals = node["shown"]
    if not vals:
        shown = "未求值"
    elif len(vals) == 1:
        shown = vals[0]
    else:
        shown = "逐项：" + "、".join(vals)
    mark = "〔原生判定〕" if node.get("decided_by") == "native" else ""
    lines.append(f"{indent}{shown} ← {node['prose']}  〔{node['line']}:{node['col']}〕{mark}")
    for child in node.get("children", []):
        _tree_lines(child, lines, indent + "  ")


__all__ = ["OUTCOME_ZH", "explain", "explain_rule", "render_text"]
