"""The compiled rule book: compiled rules and conditions, the rules in force on any day, and
the routing index that plans which rules a kind of file needs (one generated function per plan).
"""

from __future__ import annotations

import bisect
import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Callable

from ..core.diagnostics import SourcePos
from ..lang.expr import Node, Path, walk
from ..lang.interpreter import partially
from ..lang.typecheck import Checked
from ..model import facts
from ..ruleset.models import Effect, Effective, LegalEffect, Rule, RuleSetHeader
from ..ruleset.yamlsource import SourceMap
from .closures import Fn
from .codegen import compile_plan
from .decision import CitationOut, RuleSetRef


@dataclass(frozen=True)
class CitationRef:
    """A citation resolved against its source: what a finding prints."""

    source_id: str
    law: str
    law_version: _dt.date
    until: _dt.date | None
    article: int | None
    clause: int | None
    item: int | None
    verified: bool
    issuer: str | None = None
    order: str | None = None
    note: str | None = None
    pinned: bool = False  # cites this version only (numbering differs between versions)

    def in_force(self, day: _dt.date) -> bool:
        return self.law_version <= day and (self.until is None or day <= self.until)


@dataclass
class Condition:
    """A compiled condition: its AST, types, fast and traced closures, and where it is written."""

    text: str
    node: Node
    checked: Checked
    fast: Fn
    traced: Fn
    positions: Callable[[Node], SourcePos]
    record: Callable[[tuple[Any, ...], dict[str, Any]], Any]  # fast, also adding label → value of each fact it consults


@dataclass
class DefinitionInfo:
    """A compiled rule-set definition (a named value computed from the facts)."""

    name: str
    title: str
    text: str
    node: Node
    checked: Checked
    type: facts.Type
    fast: Fn
    traced: Fn
    positions: Callable[[Node], SourcePos]
    record: Callable[[tuple[Any, ...], dict[str, Any]], Any]  # fast, also adding the facts it consults to a dict


@dataclass
class Placeholder:
    text: str
    fn: Fn | None  # None for the special placeholders
    type: facts.Type | None = None

    @property
    def special(self) -> str:
        return self.text.strip("{} ")


@dataclass
class CompiledRule:
    id: str
    title: str
    digest: str
    ruleset_id: str
    effect: Effect
    legal_effect: LegalEffect | None
    effective: Effective
    when: Condition
    require: Condition
    message: str
    placeholders: list[Placeholder]
    citations: list[CitationRef]
    materials: list[tuple[str, str, Fn]]  # (code, title, check) for require_materials rules
    pos: SourcePos
    chapter: str | None
    source: Rule
    path: tuple[Any, ...] = ()  # where the rule sits in its file, e.g. ("rules", 3)
    template: list[str | Placeholder] = field(default_factory=list)  # the message cut at its placeholders
    definitions: dict[str, DefinitionInfo] = field(default_factory=dict)
    # Where the citations in force change, and the citations from each change on: one attribute
    # assigned once, so that threads sharing a fresh book never see half of it.
    _cited: tuple[list[_dt.date], list[tuple[CitationOut, ...]]] | None = field(default=None, repr=False)
    _facts_read: frozenset[str] | None = field(default=None, repr=False)
    label: str = ""  # file:line, as findings name the rule
    _reads: tuple[int, ...] | None = field(default=None, repr=False)  # the ROUTING facts its `when` reads

    def __repr__(self) -> str:
        return f"CompiledRule({self.id} {self.effective.start}…{self.effective.end or ''})"

    @property
    def reads(self) -> frozenset[str]:
        """Every dotted fact path the rule's conditions mention, through its definitions (static)."""
        if self._facts_read is None:
            found: set[str] = set()
            todo = [self.when.node, self.require.node]
            seen_defs: set[str] = set()
            while todo:
                for n in walk(todo.pop()):
                    if isinstance(n, Path):
                        d = self.definitions.get(n.names[0]) if len(n.names) == 1 else None
                        if d is not None and n.names[0] not in seen_defs:
                            seen_defs.add(n.names[0])
                            todo.append(d.node)
                        found.add(".".join(str(x) for x in n.names))
            self._facts_read = frozenset(found)
        return self._facts_read

    def citations_at(self, day: _dt.date) -> list[CitationRef]:
        return [c for c in self.citations if c.in_force(day)]

    def cited(self, day: _dt.date) -> tuple[CitationOut, ...]:
        """The citations in force on ``day``, as findings carry them (computed once per period)."""
        table = self._cited
        if table is None:
            starts = sorted({c.law_version for c in self.citations} | {
                c.until + _dt.timedelta(days=1) for c in self.citations if c.until is not None
            })
            table = self._cited = (starts, [tuple(citation_out(c) for c in self.citations_at(b)) for b in starts])
        i = bisect.bisect_right(table[0], day) - 1
        return table[1][i] if i >= 0 else ()


@dataclass
class RuleSetInfo:
    id: str
    title: str
    domain: str
    version: str
    sha256: str
    directory: str
    header: RuleSetHeader
    definitions: dict[str, DefinitionInfo] = field(default_factory=dict)


@dataclass(eq=False)  # identity: comparing two books field by field would walk every closure
class RuleBook:
    """All compiled rule sets, with the rules in force on any given day ready to hand."""

    rulesets: list[RuleSetInfo]
    rules: list[CompiledRule]
    maps: dict[str, SourceMap] = field(default_factory=dict)
    premises: list[Any] = field(default_factory=list)  # engine.premises.Premise, in header order
    _readers: dict[str, frozenset[int]] = field(default_factory=dict)
    _bounds: list[_dt.date] = field(default_factory=list)
    _segments: list[list[CompiledRule]] = field(default_factory=list)
    _index: dict[tuple[Any, ...], "Candidates"] = field(default_factory=dict)
    _plans: dict[tuple[Any, ...], Callable[[tuple[Any, ...]], list[Any]]] = field(default_factory=dict)
    _partial: dict[int, dict[tuple[Any, ...], Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.refs = tuple(RuleSetRef(r.id, r.version, r.sha256) for r in self.rulesets)  # shared by every decision
        # Split time at every start and end of a rule, so that the rules in force on a day
        # are one bisect away instead of a filter over every rule.
        points = {r.effective.start for r in self.rules}
        points |= {r.effective.end + _dt.timedelta(days=1) for r in self.rules if r.effective.end}
        self._bounds = sorted(points)
        probes = [_dt.date.min] + self._bounds
        self._segments = [[r for r in self.rules if r.effective.contains(day)] for day in probes]

    def readers(self, fact: str) -> frozenset[int]:
        """The ids of the rules that read ``fact``, a part of it or the whole of it (cached per fact)."""
        hit = self._readers.get(fact)
        if hit is None:
            hit = frozenset(
                id(r) for r in self.rules
                if any(p == fact or p.startswith(fact + ".") or fact.startswith(p + ".") for p in r.reads)
            )
            self._readers[fact] = hit
        return hit

    def __repr__(self) -> str:
        # The generated repr walks every compiled rule: pytest and hypothesis print it on a failure.
        return f"RuleBook({', '.join(r.id for r in self.rulesets)}; {len(self.rules)} rules)"

    def active(self, day: _dt.date) -> list[CompiledRule]:
        return self._segments[bisect.bisect_right(self._bounds, day)]

    def candidates(self, day: _dt.date, project: Any) -> Candidates:
        """The rules in force on ``day`` that may apply to ``project``, from its routing facts.

        Partial evaluation with only the routing facts known (kind, permit type, industry,
        project category and type) sorts the rules into those whose ``when`` is false for every
        file with these facts, true for every such file, or open. Kleene logic is monotone, so
        the sorting holds whatever else a file says. Decided once per (period, routing facts)
        and cached: a batch evaluates only the rules that can matter (OPA's rule indexing).
        """
        segment = bisect.bisect_right(self._bounds, day)
        routing = _routing(project)
        key = (segment, routing)
        hit = self._index.get(key)
        if hit is None:
            hit = Candidates([], [])
            for rule in self._segments[segment]:
                value = self._partially(rule, routing)
                if value is False:
                    hit.never_ids.append(rule.id)
                else:
                    hit.plan.append((rule, True if value is True else None))
            hit.rules = [rule for rule, _ in hit.plan]
            # Neighbouring periods often leave the same plan: generate and compile it once.
            plan_key = (tuple((id(rule), applies) for rule, applies in hit.plan), routing)
            hit.decide = self._plans.get(plan_key)
            if hit.decide is None:
                known: dict[tuple[str, ...], Any] = {attrs: value for attrs, value in zip(ROUTING, routing) if value is not None}
                hit.decide = self._plans[plan_key] = compile_plan(hit.plan, known)
            self._index[key] = hit
        return hit

    def _partially(self, rule: CompiledRule, routing: tuple[Any, ...]) -> Any:
        """The rule's ``when`` with only ``routing`` known, memoised on the routing facts it reads."""
        if rule._reads is None:
            rule._reads = _routing_reads(rule)
        key = tuple(routing[i] for i in rule._reads)
        memo = self._partial.setdefault(id(rule), {})
        if key not in memo:
            defs = {n: (d.node, d.checked) for n, d in rule.definitions.items()}
            memo[key] = partially(rule.when.node, rule.when.checked, _known(routing), defs)
        return memo[key]

    def rule(self, rule_id: str) -> list[CompiledRule]:
        return [r for r in self.rules if r.id == rule_id]


@dataclass
class Candidates:
    """The rules in force for one kind of file, in file order.

    ``plan`` holds the rules to evaluate, each with True when it applies for sure (its
    ``when`` need not be evaluated) or None; ``never_ids`` those that cannot apply.
    """

    plan: list[tuple[CompiledRule, bool | None]]
    never_ids: list[str]
    decide: Callable[[tuple[Any, ...]], list[Any]] | None = None  # the plan as one generated function
    rules: list[CompiledRule] = field(default_factory=list)  # the plan's rules, in order


# The facts that route a file to rules: every file of a kind carries them, and most `when`s test them.
ROUTING = (
    ("application", "kind"), ("application", "permit_type"), ("enterprise", "industry"),
    ("project", "category"), ("project", "type"),
)


def _routing(project: Any) -> tuple[Any, ...]:
    values = []
    for parent, attr in ROUTING:
        obj = getattr(project, parent)
        values.append(None if obj is None else getattr(obj, attr))
    return tuple(values)


def _routing_reads(rule: CompiledRule) -> tuple[int, ...]:
    """Indices of the ROUTING facts that the rule's ``when`` reads, directly or via definitions.

    A path naming only a parent (``project``) reads every routing fact under it, since whether
    the parent is present depends on them.
    """
    reads: set[int] = set()
    todo, seen = [rule.when.checked], set()
    while todo:
        checked = todo.pop()
        for ref in checked.paths.values():
            if ref.scope == -2:
                name = ref.attrs[0]
                if name not in seen and name in rule.definitions:
                    seen.add(name)
                    todo.append(rule.definitions[name].checked)
            elif ref.scope == 0:
                reads.update(i for i, fact in enumerate(ROUTING) if fact[: len(ref.attrs)] == ref.attrs[: len(fact)])
    return tuple(sorted(reads))


class _Known:
    """A stand-in project file for partial evaluation: attributes not given are absent."""

    def __init__(self, **values: Any):
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:
        return None


def _known(routing: tuple[Any, ...]) -> _Known:
    parts: dict[str, dict[str, Any]] = {}
    for (parent, attr), value in zip(ROUTING, routing):
        if value is not None:
            parts.setdefault(parent, {})[attr] = value
    return _Known(**{k: _Known(**v) for k, v in parts.items()})


def citation_out(c: CitationRef) -> CitationOut:
    return CitationOut(c.law, c.law_version, c.article, c.clause, c.item, c.verified, c.note)
