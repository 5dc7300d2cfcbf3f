"""Example cases as tests: each file's ``expect:`` block against what the engine decides.

A case passes when the decision is exactly the expected one, the set of finding rule ids
is exactly the expected set, and every expected citation appears on its finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..engine.book import RuleBook
from ..engine.decision import DECISION_ZH, Decision
from ..core.diagnostics import ApprovalRulesError, Diagnostic
from .coverage import CoverageReport, coverage
from ..engine.evaluator import Backend, evaluate, trace_case
from ..ruleset.loader import load_project
from ..ruleset.models import Profile


@dataclass
class CaseResult:
    file: str
    line: int | None
    decision: Decision | None = None
    problems: list[str] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.errors

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def case_files(paths: Iterable[str | Path]) -> list[Path]:
    """YAML and JSON files under the given files and directories, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml", ".json") and q.is_file())
        else:
            out.append(p)
    return out


def run_case(book: RuleBook, path: Path, backend: Backend | None = None, profile: Profile | None = None) -> CaseResult:
    """One case against its ``expect:``; the case's own profile, else ``profile``, is the deployment's."""
    try:
        loaded = load_project(path)
    except ApprovalRulesError as exc:
        return CaseResult(str(path), None, errors=exc.diagnostics)
    result = CaseResult(str(path), loaded.expect_line)
    if loaded.expect is None:
        result.problems.append("案例缺少 expect（预期决定和问题规则）")
        return result
    exp = loaded.expect
    d = evaluate(book, loaded.project, case_id=loaded.project.case_id or path.stem, backend=backend, profile=exp.profile or profile)
    result.decision = d
    if d.decision != exp.decision:
        result.problems.append(f"决定应为{DECISION_ZH[exp.decision]}，实际为{DECISION_ZH[d.decision]}")
    actual = {f.rule_id for f in d.findings}
    expected = set(exp.findings)
    if actual - expected:
        result.problems.append("多出的问题规则：" + "、".join(sorted(actual - expected)))
    if expected - actual:
        result.problems.append("缺少的问题规则：" + "、".join(sorted(expected - actual)))
    for label, want, got in (
        ("待核查事项", exp.to_verify, [v["fact"] for v in d.to_verify]),
        ("补正项", exp.corrections, [c["key"] for c in d.corrections]),
        ("推定", exp.presumed, [f.fact for f in d.filled if f.kind == "presume"]),
    ):
        if want is not None and sorted(want) != sorted(got):
            result.problems.append(f"{label}应为 {'、'.join(sorted(want)) or '（无）'}，实际为 {'、'.join(sorted(got)) or '（无）'}")
    for c in exp.citations:
        f = next((f for f in d.findings if f.rule_id == c.rule), None)
        ok = f is not None and any(
            (c.article is None or x.article == c.article) and (c.law_version is None or x.law_version == c.law_version)
            for x in f.citations
        )
        if not ok:
            result.problems.append(f"规则 {c.rule} 应引用 {c.law_version or ''} 版第 {c.article} 条")
    return result


def run_cases(
    book: RuleBook, paths: Iterable[str | Path], backend: Backend | None = None, profile: Profile | None = None,
) -> list[CaseResult]:
    return [run_case(book, p, backend, profile) for p in case_files(paths)]


def coverage_of_cases(book: RuleBook, paths: Iterable[str | Path], profile: Profile | None = None) -> CoverageReport:
    """Coverage of the rule book by the (valid) cases under ``paths``, from their traces."""
    traced = []
    for path in case_files(paths):
        try:
            loaded = load_project(path)
        except ApprovalRulesError:
            continue  # reported by run_cases
        case_profile = loaded.expect.profile if loaded.expect and loaded.expect.profile else profile
        day, traces = trace_case(book, loaded.project, profile=case_profile)
        traced.append((str(path), day, traces))
    return coverage(book, traced)
