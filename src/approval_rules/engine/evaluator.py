"""Run a compiled rule book on one project file and return a ``Decision`` with cited findings.

Evaluation is a pure function of (rule book, project file, decision date): every rule in
force on the decision date is evaluated (no short-circuit, so every deficiency is reported
at once), and each rule's outcome is three-valued. A rule is violated when it applies and
its requirement does not hold, in Kleene logic: a missing fact can make that unknown, and an
unknown violation never lets the case be approved.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Iterable, Protocol

from ..core.dates import as_date
from ..model import facts
from .closures import Trace
from .book import CompiledRule, Condition, RuleBook
from .decision import Decision, Finding, decide
from .notices import corrections, verifications
from .premises import Filled, apply, put
from ..ruleset.profile import Profile
from ..lang.interpreter import blame
from ..model.project import ProjectFile
from ..lang.values import UNKNOWN

NO_RULES_ID = "ENGINE-NO-APPLICABLE-RULE"


def decision_date(project: ProjectFile, as_of: _dt.date | None = None) -> _dt.date:
    """The date whose law applies: ``as_of``, else the file's decision date, else its filing date."""
    return as_of or project.decision_date or project.application.submitted_date


def combine(applies: Any, holds: Any) -> Any:
    """A rule's violation from its applicability and its requirement, in Kleene logic.

    None when it does not apply; False when the requirement holds (even if applicability is
    unknown); True when it applies and the requirement fails; UNKNOWN otherwise.
    """
    if applies is False:
        return None
    if holds is True:
        return False
    if applies is UNKNOWN or holds is UNKNOWN:
        return UNKNOWN
    return True


def violation(rule: CompiledRule, ctx: tuple[Any, ...], applies: Any = None) -> Any:
    """The rule's violation on one file (see ``combine``); ``applies`` when already known."""
    if applies is None:
        applies = rule.when.fast(ctx)
        if applies is False:
            return None
    return combine(applies, rule.require.fast(ctx))


Verdicts = tuple[list[str], Iterable[tuple[CompiledRule, Any]]]


class Backend(Protocol):
    """Decides the rules in force on one file; the engine turns the verdicts into a decision."""

    name: str

    def verdicts(self, book: RuleBook, project: ProjectFile, day: _dt.date) -> Verdicts:
        """The ids of rules known not to apply without evaluating them, and every other rule in
        force on ``day`` with its violation (see ``combine``), in rule-file order."""
        ...


def native_verdicts(book: RuleBook, project: ProjectFile, day: _dt.date) -> Verdicts:
    """The rule book's own plan: compiled closures over the rules the routing index leaves.

    What ``evaluate`` does without a backend; the ``native`` backend offers it by name."""
    candidates = book.candidates(day, project)
    return candidates.never_ids, zip(candidates.rules, candidates.decide((project, day, None)))  # type: ignore[misc]  # RuleBook.candidates always sets decide


class BackendUnavailable(RuntimeError):
    """A backend cannot be used here (its optional dependency is missing); the message is Chinese."""


def close_lists(project: ProjectFile) -> ProjectFile:
    """Completeness flags as the rules read them.

    Format 1 files had no flags and their lists were read as complete: they keep that meaning.
    From format 2 a list is complete only when declared so; ``false`` reads as not declared.
    """
    update: dict[str, bool | None] = {}
    legacy = project.format_version in (None, 1)
    for name, flag in facts.open_lists().items():
        declared = getattr(project, flag)
        if legacy and declared is None and getattr(project, name) is not None:
            update[flag] = True
        elif not legacy and declared is False:
            update[flag] = None
    return project.model_copy(update=update) if update else project


def prepare(
    book: RuleBook, project: ProjectFile, day: _dt.date, profile: Profile | None = None,
) -> tuple[ProjectFile, list[Filled]]:
    """The file as the rules read it: lists closed or open, context, derivations, presumptions."""
    project = close_lists(project)
    filled: list[Filled] = []
    if profile is not None and profile.authority is not None and project.application.authority is None:
        project = put(project, ProjectFile, ("application", "authority"), profile.authority)
        filled.append(Filled("context", "application.authority", profile.authority, f"部署配置「{profile.name or '未命名'}」的受理机关"))
    if book.premises:
        project, more = apply(book.premises, project, day, presume=profile is None or not profile.strict)
        filled += more
    return project, filled


def evaluate(
    book: RuleBook, project: ProjectFile, as_of: _dt.date | str | None = None, case_id: str | None = None,
    backend: Backend | None = None, profile: Profile | None = None,
) -> Decision:
    """Decide one project file under the rules in force on its decision date.

    ``profile`` is the deployment's (receiving authority, strict mode); see ``ruleset.profile``.
    ``as_of`` may be ISO text (``"2024-01-01"``) as well as a date.
    """
    day = decision_date(project, None if as_of is None else as_date(as_of, "as_of（决定日期）"))
    original = project
    project, filled = prepare(book, project, day, profile)
    findings: list[Finding] = []
    passed: list[str] = []
    never, verdicts = backend.verdicts(book, project, day) if backend else native_verdicts(book, project, day)
    not_applicable = list(never)
    applicable = 0
    used: list[CompiledRule] = []
    for rule, v in verdicts:
        if v is None:
            not_applicable.append(rule.id)
            continue
        used.append(rule)
        if rule.effect != "info":
            applicable += 1
        if v is False:
            passed.append(rule.id)
        else:
            findings.append(finding(rule, project, day, "fail" if v is True else "unknown"))
    if applicable == 0:
        findings.append(_no_rules(project))
    return Decision(
        case_id=case_id or original.case_id or original.application.id or "",
        decision=decide(findings, applicable),
        as_of=day,
        rulesets=book.refs,
        findings=findings,
        passed=passed,
        not_applicable=not_applicable,
        corrections=corrections(findings),
        to_verify=verifications(findings),
        filled=_relied_on(book, filled, used) if filled else filled,
    )


def _relied_on(book: RuleBook, filled: list[Filled], used: list[CompiledRule]) -> list[Filled]:
    """The fills an applicable rule reads (the fact, a part or the whole of it): only those are reported."""
    ids = {id(r) for r in used}
    return [f for f in filled if f.kind == "context" or not ids.isdisjoint(book.readers(f.fact))]


@dataclass
class RuleTrace:
    """One rule evaluated with tracing on: its outcome and what each condition saw."""

    rule: CompiledRule
    outcome: str  # not_applicable | pass | fail | unknown
    when: Any
    when_trace: Trace
    require: Any | None = None
    require_trace: Trace | None = None


def trace_case(
    book: RuleBook, project: ProjectFile, as_of: _dt.date | None = None, profile: Profile | None = None,
) -> tuple[_dt.date, list[RuleTrace]]:
    """Evaluate every rule in force with tracing: the one trace behind explain and coverage."""
    day = decision_date(project, as_of)
    project, _ = prepare(book, project, day, profile)
    out: list[RuleTrace] = []
    for rule in book.active(day):
        applies, wt = trace_condition(rule.when, project, day)
        if applies is False:
            out.append(RuleTrace(rule, "not_applicable", applies, wt))
            continue
        holds, rt = trace_condition(rule.require, project, day)
        outcome = {False: "pass", True: "fail"}.get(combine(applies, holds), "unknown")
        out.append(RuleTrace(rule, outcome, applies, wt, holds, rt))
    return day, out


def trace_condition(cond: Condition, project: ProjectFile, day: _dt.date) -> tuple[Any, Trace]:
    """Evaluate a condition with tracing on: its value plus every node value and fact read."""
    trace = Trace()
    value = cond.traced((project, day, trace))
    return value, trace


def finding(rule: CompiledRule, project: ProjectFile, day: _dt.date, outcome: str) -> Finding:
    """Explain a failed or unknown rule: the facts it read, what is missing, why, and the law."""
    ctx = (project, day, None)
    read: dict[str, Any] = {}  # the facts consulted in deciding the rule, as its evaluation met them
    if rule.when.record(ctx, read) is not False:
        rule.require.record(ctx, read)
    missing = missing_facts(rule, project, day) if outcome == "unknown" else []
    # Only what the applicant supplies is theirs to correct; the rest is the reviewer's to check.
    verify = [p for p in missing if facts.provenance_of(p) != "applicant"]
    missing = [p for p in missing if p not in verify]
    if outcome == "unknown" and missing:
        message = f"无法审查「{rule.title}」：案卷缺少{_titles(missing)}，请补正"
    elif outcome == "unknown" and verify:
        message = f"「{rule.title}」须由审查机关核查：{_titles(verify)}"
    elif outcome == "unknown":
        message = f"无法审查「{rule.title}」：案卷缺少所需事实，请补正"
    else:
        message = fill_message(rule, ctx, missing)
    docs = [(code, title) for code, title, check in rule.materials if check(ctx) is not True] if outcome == "fail" else []
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        ruleset=rule.ruleset_id,
        outcome=outcome,  # type: ignore[arg-type]
        effect=rule.effect,
        message=message,
        facts=read,
        citations=rule.cited(day),
        missing=missing,
        legal_effect=rule.legal_effect,
        source=rule.label,
        to_verify=verify,
        missing_materials=docs,
    )


def missing_facts(rule: CompiledRule, project: ProjectFile, day: _dt.date) -> list[str]:
    """The missing facts that keep a rule's outcome unknown, and only those.

    The rule is violated when it applies and its requirement does not hold: if it surely
    applies, only the requirement's unknowns matter; if the requirement surely fails, only
    the applicability's; otherwise both.
    """
    defs = {n: (d.node, d.checked) for n, d in rule.definitions.items()}
    ctx = (project, day, None)
    applies, holds = rule.when.fast(ctx), rule.require.fast(ctx)
    found: set[str] = set()
    if applies is not True:  # unknown applicability keeps the outcome open
        found |= blame(rule.when.node, rule.when.checked, project, day, defs)[1]
    if holds is not False:  # an unknown requirement keeps it open (a false one would decide it)
        found |= blame(rule.require.node, rule.require.checked, project, day, defs)[1]
    return sorted(found)


def fill_message(rule: CompiledRule, ctx: tuple[Any, ...], missing: list[str]) -> str:
    if not rule.placeholders:
        return rule.message
    out = []
    for part in rule.template:
        if isinstance(part, str):
            out.append(part)
        elif part.fn is not None:
            out.append(format_value(part.fn(ctx), part.type))
        elif part.special == "missing":
            out.append(_titles(missing) or "（无）")
        elif part.special == "missing_materials":
            out.append("、".join(title for _, title, check in rule.materials if check(ctx) is not True) or "（无）")
        else:
            out.append(rule.title)
    return "".join(out)


def _titles(paths: list[str]) -> str:
    return "、".join(f"{facts.title_of(p)}（{p}）" for p in paths)


def format_value(value: Any, type_: facts.Type | None = None) -> str:
    """A case value as Chinese legal prose shows it."""
    if type(value) is int:
        return str(value)
    if value is UNKNOWN or value is None:
        return "（未填报）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, _dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        elem = type_.elem if type_ is not None else None
        return "、".join(format_value(v, elem) for v in value) or "（无）"
    if type_ is not None:
        label = facts.label_of(type_, value)
        if label:
            return label
    return str(value)


def _label(path: str, value: object) -> str:
    fields = facts.lookup(tuple(path.split(".")))
    return format_value(value, fields[-1].type) if fields else str(value)


def _no_rules(project: ProjectFile) -> Finding:
    kind = project.application.kind
    industry = project.enterprise.industry
    return Finding(
        rule_id=NO_RULES_ID,
        title="没有适用的审查规则",
        ruleset="",
        outcome="fail",
        effect="refer",
        message=f"现行规则中没有适用于本申请（申请事项「{_label('application.kind', kind)}」，"
                f"行业「{_label('enterprise.industry', industry)}」）的审查规则，须人工审查",
        facts={"application.kind": kind, "enterprise.industry": industry},
        citations=[],
    )
