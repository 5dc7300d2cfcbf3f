"""Explain a decision rule by rule: each condition tree with the value of every sub-condition.

Built from the engine's trace (``engine.trace_case``), the same trace coverage counts, so
what ``explain`` shows is exactly what the evaluation saw. The rules that decided the case come
first: a reader asks why the decision is what it is before asking how every rule came out.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Set as AbstractSet
from typing import Any

from ..engine.closures import Trace
from ..engine.book import Condition, DefinitionInfo, RuleBook
from ..engine.decision import DECISION_ZH, Decision
from ..engine.evaluator import Backend, RuleTrace, decision_date, evaluate, format_value, prepare, trace_case
from ..model import facts
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

    def __init__(self, cond: Condition | DefinitionInfo, trace: Trace, titles: dict[str, str], native: AbstractSet[Node]):
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
            "file": pos.file,  # a definition's nodes sit in ruleset.yaml, not in the rule's file
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


def explain_rule(rt: RuleTrace, native: AbstractSet[Node] = frozenset(), outcome: str | None = None) -> dict[str, Any]:
    """One rule's explanation; ``native`` marks sub-conditions another backend left to the native evaluator."""
    rule = rt.rule
    titles = {n: d.title for n, d in rule.definitions.items()}
    out: dict[str, Any] = {
        "rule_id": rule.id,
        "title": rule.title,
        "ruleset": rule.ruleset_id,
        "source": _where(rule.pos),
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
    read: dict[str, Any] = {}
    for trace in traces:
        for label, value in trace.facts:
            if not isinstance(value, list):
                read.setdefault(label, value)
                out["facts"].setdefault(label, _json_value(value) if value is not None else None)
    out["fact_titles"] = {k: rule.definitions[k].title if k in rule.definitions else facts.title_of(k) for k in out["facts"]}
    out["facts_shown"] = {k: _display(v, _fact_type(k)) for k, v in read.items() if v is not None}
    used = [d for n, d in rule.definitions.items() if n in out["facts"]]
    if used:
        out["definitions"] = {
            d.name: {"title": d.title, "value": out["facts"][d.name], "tree": _Tree(d, _merged(traces), titles, native).node(d.node)}
            for d in used
        }
    return out


def _fact_type(path: str) -> Any:
    fields = facts.lookup(tuple(path.split(".")))
    return fields[-1].type if fields else None


def _merged(traces: list[Trace]) -> Trace:
    merged = Trace()
    for t in traces:
        merged.events += t.events
    return merged


def explain(
    book: RuleBook, project: ProjectFile, as_of: _dt.date | None = None, rule_id: str | None = None,
    include_not_applicable: bool = False, backend: Backend | None = None, profile: Profile | None = None,
    only_decisive: bool = False,
) -> dict[str, Any]:
    """The decision and the rules that decided it, then every other applicable rule (or one rule),
    each with its condition trees, values and outcome.

    With another backend, each rule's outcome is that backend's, and the sub-conditions it
    leaves to the native evaluator are marked (``decided_by: native``).
    """
    decision = evaluate(book, project, as_of, backend=backend, profile=profile)
    day = decision_date(project, as_of)
    project, filled = prepare(book, project, day, profile)
    day, traces = trace_case(book, project, as_of)
    decisive = _decisive(decision, {rt.rule.id: rt.rule for rt in traces})
    native_nodes = getattr(backend, "native_nodes", None)
    native: set[Node] = set(native_nodes(book)) if native_nodes is not None else set()
    outcomes: dict[int, str] = {}
    if backend is not None:
        _, verdicts = backend.verdicts(book, project, day)
        outcomes = {id(r): _OUTCOME_OF.get(v, "unknown") for r, v in verdicts}
    chosen = [
        rt for rt in traces
        if (rule_id is None or rt.rule.id == rule_id)
        and (include_not_applicable or rule_id or outcomes.get(id(rt.rule), rt.outcome) != "not_applicable")
        and (not only_decisive or rt.rule.id in decisive)
    ]
    chosen.sort(key=lambda rt: rt.rule.id not in decisive)  # stable: the book's order within each part
    rules = [{**explain_rule(rt, native, outcomes.get(id(rt.rule))), "decisive": rt.rule.id in decisive} for rt in chosen]
    return {
        "case_id": project.case_id or project.application.id or "", "as_of": day.isoformat(),
        "backend": backend.name if backend is not None else "native",
        "decision": decision.decision, "decisive": list(decisive.values()), "rules": rules,
        "filled": {f.fact: {"kind": f.kind, "reason": f.reason, "source": f.source} for f in filled},
    }


def _decisive(decision: Decision, in_force: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The rules the decision rests on: the findings that push toward it or, for an approval, every
    rule with an effect that was checked and met (an approval needs them all)."""
    if decision.decision == "approve":
        met = [in_force[rid] for rid in decision.passed if rid in in_force]
        return {r.id: {"rule_id": r.id, "title": r.title, "outcome": "pass", "message": None, "source": _where(r.pos)}
                for r in met if r.effect != "info"}
    return {f.rule_id: {"rule_id": f.rule_id, "title": f.title, "outcome": f.outcome, "message": f.message,
                        "source": _where(in_force[f.rule_id].pos) if f.rule_id in in_force else f.source}
            for f in decision.findings if f.contributes == decision.decision}


def _where(pos: Any) -> str:
    return f"{pos.file}:{pos.line}:{pos.col}"


_OUTCOME_OF = {None: "not_applicable", False: "pass", True: "fail"}
_FILLED_ZH = {"derive": "推算", "presume": "推定", "context": "部署配置"}


def render_text(report: dict[str, Any]) -> str:
    """The explanation as indented Chinese text: the decision and its deciding rules, then each rule in full."""
    rules = report["rules"]
    lines = [f"案卷 {report['case_id'] or '（未编号）'}，决定日 {report['as_of']}"]
    if report.get("backend", "native") != "native":
        lines[0] += f"（{report['backend']} 后端；标〔原生判定〕的子条件由原生求值器判定）"
    lines += _summary(report)
    decisive = sum(1 for r in rules if r.get("decisive"))
    lines.append(f"以下逐条解释 {len(rules)} 条规则" + (f"（决定性规则 {decisive} 条在前）" if decisive and decisive < len(rules) else ""))
    for i, r in enumerate(rules):
        if decisive and i in (0, decisive) and decisive < len(rules):
            lines += ["", "—— 决定性规则 ——" if i == 0 else "—— 其余规则 ——"]
        lines += [""] + _rule_lines(r, report.get("filled", {}))
    return "\n".join(lines)


def _summary(report: dict[str, Any]) -> list[str]:
    decision = report.get("decision")
    if decision is None:
        return []
    lines = [f"决定：{DECISION_ZH[decision]}"]
    decisive = report.get("decisive", [])
    if decision == "approve":
        lines.append(f"决定性规则（准予许可须全部符合，均已符合）：{len(decisive)} 条")
        lines += [f"  {d['rule_id']} {d['title']}〔{d['source']}〕" for d in decisive]
        return lines
    lines.append("决定性规则（决定由这些规则得出）：")
    for i, d in enumerate(decisive, 1):
        where = f"〔{d['source']}〕" if d["source"] else ""
        lines.append(f"  {i}. 【{OUTCOME_ZH[d['outcome']]}】{d['rule_id']} {d['title']}{where}")
        lines.append(f"     {d['message']}")
    return lines


def _rule_lines(r: dict[str, Any], filled: dict[str, Any]) -> list[str]:
    home = r["source"].rsplit(":", 2)[0]
    lines = [f"【{OUTCOME_ZH[r['outcome']]}】{r['rule_id']} {r['title']}", f"  位置：{r['source']}"]
    lines.append(f"  适用条件：{_value_text(r['when']['value'])}")
    _tree_lines(r["when"]["tree"], lines, "    ", home)
    if "require" in r:
        lines.append(f"  要求：{_value_text(r['require']['value'])}")
        _tree_lines(r["require"]["tree"], lines, "    ", home)
    for name, d in r.get("definitions", {}).items():
        lines.append(f"  定义 {name}（{d['title']}）：{_value_text(d['value'])}")
        _tree_lines(d["tree"], lines, "    ", home)
    if r["facts"]:
        lines.append("  读取的事实：")
        for k, v in r["facts"].items():
            how = filled.get(k)
            note = f"（{_FILLED_ZH[how['kind']]}：{how['reason']}）" if how else ""
            title = r.get("fact_titles", {}).get(k, k)
            name = f"「{title}」（{k}）" if title != k else k
            shown = r.get("facts_shown", {}).get(k, v)
            lines.append(f"    {name} = {'（未填报）' if v is None else shown}{note}")
    return lines


def _value_text(v: Any) -> str:
    return {True: "是", False: "否", None: "不知道"}.get(v, str(v)) if isinstance(v, (bool, type(None))) else str(v)


def _tree_lines(node: dict[str, Any], lines: list[str], indent: str, home: str) -> None:
    """``home`` is the rule's file: a position elsewhere (a definition in ruleset.yaml) names its file."""
    vals = node["shown"]
    if not vals:
        shown = "未求值"
    elif len(vals) == 1:
        shown = vals[0]
    else:
        shown = "逐项：" + "、".join(vals)
    mark = "〔原生判定〕" if node.get("decided_by") == "native" else ""
    file = "" if node.get("file", home) == home else f"{node['file']}:"
    lines.append(f"{indent}{shown} ← {node['prose']}  〔{file}{node['line']}:{node['col']}〕{mark}")
    for child in node.get("children", []):
        _tree_lines(child, lines, indent + "  ", home)


__all__ = ["OUTCOME_ZH", "explain", "explain_rule", "render_text"]
