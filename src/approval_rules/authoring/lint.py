"""Lint rule sets: every load and compile error, plus semantic checks that compile cannot make.

Errors (E-codes) make a rule set unusable; warnings (W-codes) point at rules that load but
are probably wrong or not yet verified: unverified article numbers, messages quoting facts the
rule never reads, conditions that can never change, rules that contradict each other.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..lang import analysis
from ..engine.book import CompiledRule, RuleBook
from ..engine.compiler import compile_rules
from ..core.diagnostics import Diagnostic, RulesError, Severity, SourcePos, sort_diagnostics
from ..lang.parser import parse
from ..lang.expr import Node, canonical, walk
from ..lang.expr import Path as PathNode
from ..ruleset.loader import display_name, load_rules, rule_set_dirs
from ..lang.typecheck import check_value

# A key written with a full-width colon (title：…) is not a key at all to YAML.
_FULL_WIDTH_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*([：︰])")


@dataclass
class LintReport:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rulesets: int = 0
    rules: int = 0

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]

    def count(self, code: str) -> int:
        return sum(d.code == code for d in self.diagnostics)

    def summary(self) -> str:
        if not self.rulesets and self.errors:
            return f"规则集未能加载：{len(self.errors)} 个错误，{len(self.warnings)} 个警告"
        return (
            f"{self.rulesets} 个规则集，{self.rules} 条规则：{len(self.errors)} 个错误，{len(self.warnings)} 个警告"
            f"（其中未核实的引用 {self.count('W501')} 处）"
        )


def lint(root: str | Path) -> LintReport:
    """Lint every rule set under ``root``."""
    report = LintReport()
    report.diagnostics += _scan_text(root)
    try:
        book = compile_rules(load_rules(root))
    except RulesError as exc:
        report.diagnostics += [d for d in exc.diagnostics if d not in report.diagnostics]
        report.diagnostics = sort_diagnostics(report.diagnostics)
        return report
    report.rulesets, report.rules = len(book.rulesets), len(book.rules)
    report.diagnostics += semantic(book)
    report.diagnostics = sort_diagnostics(report.diagnostics)
    return report


def semantic(book: RuleBook) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    budget = analysis.Budget()
    for rule in book.rules:
        out += _unverified(book, rule)
        out += _message_facts(rule)
        out += _constant_conditions(rule, budget)
    out += _contradictions(book, budget)
    return out


def _truncated(what: str, exc: analysis.Truncated, budget: analysis.Budget, pos: SourcePos, rule: CompiledRule) -> Diagnostic:
    limit = min(budget.left, analysis.CHECK_UNITS)
    return _warn("W506", f"分析已截断：{what}未检查（需约 {exc.units:,} 步，剩余上限 {limit:,} 步）", pos, rule,
                 "条件本身可以使用；如需完整检查，拆分条件或减少其中比较的取值")


def _warn(code: str, message: str, pos: SourcePos, rule: CompiledRule | None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, message, pos, rule.id if rule else None, hint, Severity.WARNING)


def _unverified(book: RuleBook, rule: CompiledRule) -> list[Diagnostic]:
    smap = book.maps[rule.pos.file]
    out = []
    for i, c in enumerate(rule.source.cite):
        if not c.verified:
            where = f"第{c.article}条" if c.article is not None else "（无条文号）"
            out.append(_warn("W501", f"引用「{c.source}」{where}未经核实", smap.value(rule.path + ("cite", i)), rule,
                             "依据官方文本核对后改为 verified: true"))
    return out


def _paths_read(node: Node, rule: CompiledRule, seen: set[str]) -> set[str]:
    """Dotted paths a condition reads, including through the definitions it uses."""
    out: set[str] = set()
    for n in walk(node):
        if isinstance(n, PathNode):
            dotted = ".".join(n.names)
            out.add(dotted)
            d = rule.definitions.get(dotted)
            if d is not None and dotted not in seen:
                seen.add(dotted)
                out |= _paths_read(d.node, rule, seen)
    return out


def _message_facts(rule: CompiledRule) -> list[Diagnostic]:
    read = _paths_read(rule.when.node, rule, set()) | _paths_read(rule.require.node, rule, set())
    read |= {f"materials.{code}" for code, _, _ in rule.materials}
    out = []
    for ph in rule.placeholders:
        if ph.fn is None:
            continue
        node = parse(ph.text.strip("{}").strip())
        checked = check_value(node, {n: d.type for n, d in rule.definitions.items()})
        for n in walk(node):
            if isinstance(n, PathNode) and n in checked.paths and checked.paths[n].scope == 0:
                dotted = ".".join(n.names)
                if not any(dotted == r or dotted.startswith(r + ".") or r.startswith(dotted + ".") for r in read):
                    out.append(_warn("W502", f"说明文字中的「{{{dotted}}}」不是本规则审查的事实", rule.pos, rule,
                                     "只引用适用条件或要求中出现的事实"))
    return out


def _constant_conditions(rule: CompiledRule, budget: analysis.Budget) -> list[Diagnostic]:
    out = []
    for part, cond in (("when", rule.when), ("require", rule.require)):
        if part == "when" and rule.source.when.strip() == "true":
            continue
        what = "适用条件" if part == "when" else "要求"
        try:
            value = analysis.constant(cond.node, cond.checked, budget)
        except analysis.Truncated as exc:
            out.append(_truncated(f"{what}是否总是成立或总是不成立", exc, budget, cond.positions(cond.node), rule))
            continue
        if value is True:
            out.append(_warn("W503", f"{what}总是成立：{cond.text}", cond.positions(cond.node), rule))
        elif value is False:
            out.append(_warn("W504", f"{what}总是不成立：{cond.text}", cond.positions(cond.node), rule))
    return out


def _contradictions(book: RuleBook, budget: analysis.Budget) -> list[Diagnostic]:
    groups: dict[tuple[Any, ...], list[CompiledRule]] = {}
    for rule in book.rules:
        groups.setdefault(canonical(rule.when.node), []).append(rule)
    out = []
    for rules in groups.values():
        for i, a in enumerate(rules):
            for b in rules[i + 1:]:
                if a.id == b.id or not _periods_meet(a, b):
                    continue
                try:
                    ok = analysis.jointly_satisfiable(
                        (a.require.node, a.require.checked), (b.require.node, b.require.checked), budget
                    )
                except analysis.Truncated as exc:
                    out.append(_truncated(f"与规则 {a.id}（{a.pos.file}:{a.pos.line}）的要求是否矛盾", exc, budget, b.pos, b))
                    continue
                if ok is False:
                    out.append(_warn(
                        "W505", f"与规则 {a.id}（{a.pos.file}:{a.pos.line}）适用条件相同，而两者的要求不可能同时满足",
                        b.pos, b, "核对两条规则的法律依据，修改其中一条",
                    ))
    return out


def _periods_meet(a: CompiledRule, b: CompiledRule) -> bool:
    a_end = a.effective.end or _dt.date.max
    b_end = b.effective.end or _dt.date.max
    return a.effective.start <= b_end and b.effective.start <= a_end


def _scan_text(root: str | Path) -> list[Diagnostic]:
    """A full-width colon after a key: YAML reads the whole line as text, so say what it is."""
    out: list[Diagnostic] = []
    for directory in rule_set_dirs(root):
        for path in sorted(directory.glob("*.yaml")):
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue  # the loader reports unreadable files
            for n, line in enumerate(lines, 1):
                m = _FULL_WIDTH_KEY.match(line)
                if m:
                    out.append(Diagnostic("E307", f"键「{m.group(1)}」后是全角冒号「{m.group(2)}」", SourcePos(display_name(root, path), n, m.start(2) + 1),
                                          hint="改成半角冒号「:」并在其后加一个空格"))
    return out
