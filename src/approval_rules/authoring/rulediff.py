"""The impact of a rule change: which rules changed (by meaning), and which decisions change.

Rules are matched by id and compared by what they mean, not how they are laid out: the
canonical form of each condition (``expr.canonical``), the required documents, the effect,
the effective period, the citations and the message; each changed field is shown old and new. Then every project file is decided under
the old and the new rules, and each file whose decision or findings differ is reported with
before and after, so a rule edit can be reviewed, and guarded in CI, before it ships.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from .casetest import case_files
from .catalogue import describe
from ..engine.book import CompiledRule, RuleBook
from ..engine.decision import DECISION_ZH
from ..core.diagnostics import ApprovalRulesError
from ..engine.evaluator import evaluate
from ..lang.expr import canonical
from ..ruleset.loader import load_project


FIELD_ZH = {
    "versions": "版本数", "when": "适用条件", "require": "要求", "effect": "效果", "effective": "生效期间",
    "citations": "法律依据", "message": "说明文字", "title": "标题",
}


@dataclass
class FieldChange:
    field: str  # a FIELD_ZH key
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass
class RuleChange:
    rule_id: str
    kind: str  # added | removed | changed
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def aspects(self) -> list[str]:
        """What changed, in Chinese, each field once."""
        return list(dict.fromkeys(FIELD_ZH[c.field] for c in self.changes))

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "kind": self.kind, "aspects": self.aspects,
                "changes": [c.to_dict() for c in self.changes]}


@dataclass
class CaseChange:
    source: str
    case_id: str
    before: str
    after: str
    added: list[str]
    removed: list[str]

    @property
    def decision_changed(self) -> bool:
        return self.before != self.after

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "case_id": self.case_id, "before": self.before, "after": self.after,
            "findings_added": self.added, "findings_removed": self.removed,
        }


@dataclass
class RuleDiff:
    rules: list[RuleChange]
    cases: list[CaseChange]
    checked: int
    errors: list[str] = field(default_factory=list)

    @property
    def decisions_changed(self) -> int:
        return sum(c.decision_changed for c in self.cases)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules": [r.to_dict() for r in self.rules],
            "cases": [c.to_dict() for c in self.cases],
            "cases_checked": self.checked,
            "decisions_changed": self.decisions_changed,
            "errors": self.errors,
        }


def _meaning(rule: CompiledRule) -> dict[str, Any]:
    """What the rule means, field by field: two rules differ where these differ."""
    return {
        "when": canonical(rule.when.node),
        "require": canonical(rule.require.node),
        "effect": (rule.effect, rule.legal_effect),
        "effective": (rule.effective.start, rule.effective.end),
        "citations": sorted((c.law, c.law_version, c.article, c.clause, c.item, c.verified) for c in rule.citations),
        "message": " ".join(rule.source.message.split()),
        "title": rule.source.title,
    }


def _shown(rule: CompiledRule, name: str) -> str | Sequence[str]:
    """A field as a person reads it: conditions as written, the rest as the catalogue words them."""
    src = rule.source
    if name in ("when", "require"):
        if name == "require" and rule.materials:
            return "提交下列材料：" + "；".join(title for _, title, _ in rule.materials)
        return " ".join(getattr(src, name).split())
    entry = describe(rule)
    return {"effect": entry.effect, "effective": entry.period, "citations": entry.citations,
            "message": " ".join(src.message.split()), "title": src.title}[name]


def _by_id(book: RuleBook) -> dict[str, list[CompiledRule]]:
    out: dict[str, list[CompiledRule]] = {}
    for rule in book.rules:
        out.setdefault(rule.id, []).append(rule)
    for versions in out.values():
        versions.sort(key=lambda r: r.effective.start)
    return out


def compare_rules(old: RuleBook, new: RuleBook) -> list[RuleChange]:
    before, after = _by_id(old), _by_id(new)
    changes: list[RuleChange] = []
    for rule_id in sorted(set(before) | set(after)):
        if rule_id not in after:
            changes.append(RuleChange(rule_id, "removed"))
        elif rule_id not in before:
            changes.append(RuleChange(rule_id, "added"))
        else:
            fields: list[FieldChange] = []
            if len(before[rule_id]) != len(after[rule_id]):
                fields.append(FieldChange("versions", len(before[rule_id]), len(after[rule_id])))
            for a, b in zip(before[rule_id], after[rule_id]):
                ma, mb = _meaning(a), _meaning(b)
                fields += [FieldChange(k, _shown(a, k), _shown(b, k)) for k in ma if ma[k] != mb[k]]
            if fields:
                changes.append(RuleChange(rule_id, "changed", fields))
    return changes


def compare_decisions(old: RuleBook, new: RuleBook, paths: Iterable[str | Path]) -> tuple[list[CaseChange], int, list[str]]:
    changes: list[CaseChange] = []
    errors: list[str] = []
    checked = 0
    for path in case_files(paths):
        try:
            project = load_project(path).project
        except ApprovalRulesError as exc:
            errors.append(f"{path}: {exc.diagnostics[0].message}")
            continue
        checked += 1
        case_id = project.case_id or path.stem
        a, b = evaluate(old, project, case_id=case_id), evaluate(new, project, case_id=case_id)
        fa, fb = {f.rule_id for f in a.findings}, {f.rule_id for f in b.findings}
        if a.decision != b.decision or fa != fb:
            changes.append(CaseChange(str(path), case_id, a.decision, b.decision, sorted(fb - fa), sorted(fa - fb)))
    return changes, checked, errors


def diff(old: RuleBook, new: RuleBook, paths: Iterable[str | Path]) -> RuleDiff:
    cases, checked, errors = compare_decisions(old, new, paths)
    return RuleDiff(compare_rules(old, new), cases, checked, errors)


def _line(value: Any) -> str:
    return "；".join(map(str, value)) if isinstance(value, list) else str(value)


def render_text(d: RuleDiff) -> str:
    kind = {"added": "新增", "removed": "删除", "changed": "修改"}
    lines = [f"规则变化 {len(d.rules)} 条："]
    for r in d.rules:
        lines.append(f"  {kind[r.kind]} {r.rule_id}" + (f"：{'、'.join(r.aspects)}" if r.aspects else ""))
        for change in r.changes:
            lines.append(f"    {FIELD_ZH[change.field]}")
            lines += [f"      {label}{_line(value)}" for label, value in (("旧：", change.old), ("新：", change.new))]
    lines.append(f"案卷 {d.checked} 件，决定改变 {d.decisions_changed} 件，问题清单改变 {len(d.cases) - d.decisions_changed} 件：")
    for c in d.cases:
        head = f"  {c.source}（{c.case_id}）：{DECISION_ZH[c.before]} → {DECISION_ZH[c.after]}"
        lines.append(head if c.decision_changed else f"  {c.source}（{c.case_id}）：决定不变（{DECISION_ZH[c.after]}）")
        if c.added:
            lines.append(f"      新增问题：{'、'.join(c.added)}")
        if c.removed:
            lines.append(f"      不再出现：{'、'.join(c.removed)}")
    for e in d.errors:
        lines.append(f"  无法审查：{e}")
    return "\n".join(lines)
