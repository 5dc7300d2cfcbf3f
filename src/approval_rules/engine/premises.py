"""What the engine fills in before the rules run: derived facts, presumptions, context facts.

A real file is sparse. Some of what it lacks follows from what it holds (a licence's issue date
from its expiry date: derivations), some the law lets a reviewer presume absent a finding (no
false materials: presumptions, which a strict deployment switches off), and some the deployment
knows (the receiving authority: context). Each fill happens only where the fact is missing, is
declared in a rule-set header, never in code, and is recorded so the decision shows it.
"""

from __future__ import annotations

import bisect
import datetime as _dt
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

from pydantic import BaseModel

from ..core.diagnostics import Diagnostic, SourcePos, suggest
from ..lang.expr import Node, walk
from ..lang.parser import OffsetError, parse
from ..lang.typecheck import Checked, check_condition, check_value
from ..lang.values import UNKNOWN
from ..model import facts
from ..model.project import ProjectFile
from ..ruleset.loader import LoadedRuleSet
from ..ruleset.yamlsource import SourceMap
from ..ruleset.models import Citation, Derivation, Effective, Presumption
from .book import CitationRef, citation_out
from .contract import FilledDict
from .codegen import compile_fast

Fn = Callable[[tuple[Any, ...]], Any]
# ``Premise`` has a field named ``type``, which hides the builtin in its annotations.
ModelClass = type[BaseModel]


@dataclass(frozen=True)
class Premise:
    """One ``derive:`` or ``presume:`` entry of a rule-set header, compiled."""

    kind: str  # derive | presume
    fact: str
    attrs: tuple[str, ...]
    type: facts.Type
    value: Any  # the presumed value (presume)
    fn: Fn | None  # the expression (derive)
    when: Fn | None
    reason: str
    effective: Effective | None
    citations: Sequence[CitationRef]
    ruleset: str
    pos: SourcePos
    reads: frozenset[str] | None = None  # the facts its when/value read; None: possibly any
    models: tuple[ModelClass, ...] = ()  # the model class holding each attribute along ``attrs``
    after: frozenset[str] | None = None  # facts of earlier entries it reads (None: possibly any)
    # Where the citations in force change, and the citations from each change on (made in ``ordered``).
    cited_table: tuple[tuple[_dt.date, ...], tuple[tuple[Any, ...], ...]] = ((), ())

    @property
    def source(self) -> str:
        return f"{self.pos.file}:{self.pos.line}"

    def in_force(self, day: _dt.date) -> bool:
        return self.effective is None or self.effective.contains(day)

    def cited(self, day: _dt.date) -> tuple[Any, ...]:
        """The citations in force on ``day``, as a decision shows them."""
        starts, outs = self.cited_table
        i = bisect.bisect_right(starts, day) - 1
        return outs[i] if i >= 0 else ()


@dataclass(frozen=True)
class Filled:
    """A fact the engine filled in, as the decision reports it."""

    kind: str  # derive | presume | context
    fact: str
    value: Any
    reason: str
    ruleset: str = ""
    citations: Sequence[Any] = field(default_factory=tuple)  # CitationOut in force on the day
    source: str | None = None

    def to_dict(self) -> FilledDict:
        value = self.value
        if isinstance(value, _dt.date):
            value = value.isoformat()
        elif hasattr(value, "model_dump"):
            value = value.model_dump(mode="json", by_alias=True, exclude_none=True)
        return {
            "fact": self.fact,
            "title": facts.title_of(self.fact),
            "value": value,
            "reason": self.reason,
            "ruleset": self.ruleset,
            "citations": [c.to_dict() for c in self.citations],
            "source": self.source,
        }


def compile_premises(
    ls: LoadedRuleSet, def_types: dict[str, Any], def_fns: dict[str, Any], cite: Callable[[Citation, tuple[Any, ...]], list[CitationRef]],
) -> tuple[list[Premise], list[Diagnostic]]:
    """The header's derivations then presumptions, type-checked against the fact catalogue."""
    header = ls.header
    smap = ls.maps[ls.files[0]]
    out: list[Premise] = []
    diags: list[Diagnostic] = []
    sections: tuple[tuple[str, Sequence[Derivation | Presumption]], ...] = (("derive", header.derive), ("presume", header.presume))
    for key, entries in sections:
        for i, p in enumerate(entries):
            at = (key, i)
            fields = facts.lookup(tuple(p.fact.split(".")))
            if fields is None or any(f.type.kind == "list" for f in fields[:-1]):
                hint = facts_hint(p.fact)
                diags.append(Diagnostic("E222", f"推算/推定的事实「{p.fact}」不存在或位于列表元素之内", smap.value(at + ("fact",)), hint=hint))
                continue
            ftype = fields[-1].type
            when = _expr(p.when, at + ("when",), smap, diags, def_types, def_fns, condition=True) if p.when else None
            fn = value = None
            reads: frozenset[str] | None = when[2] if when else frozenset()
            if key == "derive":
                fn, vtype, vreads = _expr(p.value, at + ("value",), smap, diags, def_types, def_fns, condition=False) or (None, None, None)
                reads = None if reads is None or vreads is None else reads | vreads
                if fn is not None and vtype is not None and not _compatible(vtype, ftype):
                    diags.append(Diagnostic("E223", f"表达式的类型（{vtype.describe()}）与事实「{p.fact}」的类型（{ftype.describe()}）不符", smap.value(at + ("value",))))
                    fn = None
                if fn is None:
                    continue
            else:
                value = p.value
                if not _conforms(value, ftype):
                    diags.append(Diagnostic("E223", f"推定的值 {value!r} 不是事实「{p.fact}」的合法值（{ftype.describe()}）", smap.value(at + ("value",)), hint=_values_hint(ftype)))
                    continue
            if p.when and when is None:
                continue
            out.append(Premise(
                key, p.fact, tuple(f.attr for f in fields), ftype, value, fn, when[0] if when else None, p.reason,
                p.effective, tuple(c for j, c_ in enumerate(p.cite) for c in cite(c_, at + ("cite", j))),
                header.id, smap.value(at), reads, tuple(_model_chain(fields)),
            ))
    return out, diags


def conflicts(premises: list[Premise]) -> list[Diagnostic]:
    """Two rule sets presuming different values for one fact would make the outcome depend on order."""
    diags = []
    seen: dict[str, Premise] = {}
    for p in premises:
        if p.kind != "presume":
            continue
        other = seen.setdefault(p.fact, p)
        if other is not p and other.value != p.value:
            diags.append(Diagnostic("E224", f"事实「{p.fact}」已在 {other.source} 推定为 {other.value!r}，这里推定为 {p.value!r}", p.pos, hint="同一事实只能推定为同一个值"))
    return diags


def _expr(
    text: str, path: tuple[Any, ...], smap: SourceMap, diags: list[Diagnostic], def_types: dict[str, Any],
    def_fns: dict[str, Any], condition: bool,
) -> tuple[Fn, facts.Type | None, frozenset[str] | None] | None:
    try:
        node = parse(text)
    except OffsetError as e:
        diags.append(Diagnostic(e.code, e.message, smap.offset(path, e.offset), hint=e.hint))
        return None
    checked = check_condition(node, def_types) if condition else check_value(node, def_types)
    for err in checked.errors:
        diags.append(Diagnostic(err.code, err.message, smap.offset(path, err.offset), hint=err.hint))
    if checked.errors:
        return None
    return compile_fast(node, checked, {n: f for n, (f, _) in def_fns.items()}), checked.types.get(node), _reads(node, checked)


def _reads(node: Node, checked: Checked) -> frozenset[str] | None:
    """The fact paths an expression reads; None when it uses a definition (it may read anything)."""
    found = set()
    for n in walk(node):
        ref = checked.paths.get(n)
        if ref is None:
            continue
        if ref.scope == -2:
            return None
        if ref.scope == 0:
            found.add(".".join(str(x) for x in ref.names))
    return frozenset(found)


def _compatible(got: facts.Type, want: facts.Type) -> bool:
    if "any" in (got.kind, want.kind):
        return True
    if want.kind == "number":
        return got.is_numeric()
    return got.kind == want.kind or (want.kind == "enum" and got.kind == "string")


def _conforms(value: Any, t: facts.Type) -> bool:
    kind = t.kind
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "date":
        return isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)
    if kind == "enum":
        return value in t.values
    if kind == "list":
        return isinstance(value, list) and all(t.elem is not None and t.elem.kind != "object" and _conforms(v, t.elem) for v in value)
    return False


def _values_hint(t: facts.Type) -> str | None:
    return "可选值：" + "、".join(t.values) if t.values else None


def facts_hint(path: str) -> str:
    return suggest(path, facts.all_paths()) or "事实路径见 approval-rules schema case；不能推定列表元素中的字段"


# --- applying them --------------------------------------------------------------------------


def get(obj: Any, attrs: tuple[str, ...]) -> Any:
    for a in attrs:
        if obj is None:
            return None
        obj = getattr(obj, a)
    return obj


def _model_chain(fields: list[Any]) -> list[ModelClass]:
    out: list[ModelClass] = [ProjectFile]
    for f in fields[:-1]:
        out.append(f.type.model)
    return out


def _merge(obj: Any, model: ModelClass, updates: dict[str, Any]) -> Any:
    """``obj`` (frozen; None makes a new ``model``) with nested ``updates`` applied, one copy per level."""
    if obj is None:
        obj = _empty(model)
    flat: dict[str, Any] = {}
    for attr, (child_model, value) in updates.items():
        flat[attr] = _merge(getattr(obj, attr), child_model, value) if child_model is not None else value
    return _copy(obj, flat)


_EMPTY: dict[ModelClass, Any] = {}


def _empty(model: ModelClass) -> Any:
    """An instance of ``model`` with every field at its default, made once: the models are frozen."""
    hit = _EMPTY.get(model)
    if hit is None:
        hit = _EMPTY[model] = model.model_construct()
    return hit


def _copy(obj: Any, update: dict[str, Any]) -> Any:
    """A shallow copy of the frozen model ``obj`` with ``update`` set, without re-validating.

    What ``model_copy(update=…)`` does for these models (no extra, no private attributes), at
    a fifth of its cost: it runs once per model level for every file that gets a fill.
    """
    new = object.__new__(type(obj))
    values = obj.__dict__.copy()
    values.update(update)
    object.__setattr__(new, "__dict__", values)
    object.__setattr__(new, "__pydantic_fields_set__", obj.__pydantic_fields_set__ | update.keys())
    object.__setattr__(new, "__pydantic_extra__", None)
    object.__setattr__(new, "__pydantic_private__", None)
    return new


def put(obj: Any, model: ModelClass, attrs: tuple[str, ...], value: Any) -> Any:
    """``obj`` (frozen) with ``attrs`` set to ``value``, creating missing parents."""
    chain = [model]
    current: Any = model  # a model class; the fact catalogue types it loosely
    for attr in attrs[:-1]:
        current = facts.type_of(current.model_fields[attr].annotation).model
        chain.append(current)
    return _merge(obj, model, _nest(attrs, tuple(chain), value, {}))


def _nest(attrs: tuple[str, ...], models: tuple[ModelClass, ...], value: Any, into: dict[str, Any]) -> dict[str, Any]:
    level = into
    for k, attr in enumerate(attrs):
        if k == len(attrs) - 1:
            level[attr] = (None, value)
        else:
            level = level.setdefault(attr, (models[k + 1], {}))[1]
    return into


def ordered(premises: list[Premise]) -> list[Premise]:
    """The premises with, for each, the earlier facts it depends on (decided once, at compile time)."""
    out = []
    for i, p in enumerate(premises):
        after = None if p.reads is None else frozenset(
            q.fact for q in premises[:i]
            if any(r == q.fact or r.startswith(q.fact + ".") or q.fact.startswith(r + ".") for r in p.reads)
        )
        starts = tuple(sorted({c.law_version for c in p.citations} | {
            c.until + _dt.timedelta(days=1) for c in p.citations if c.until is not None}))
        table = (starts, tuple(tuple(citation_out(c) for c in p.citations if c.in_force(b)) for b in starts))
        out.append(replace(p, after=after, cited_table=table))
    return out


def apply(
    premises: Sequence[Premise], project: ProjectFile, day: _dt.date, presume: bool = True,
) -> tuple[ProjectFile, list[Filled]]:
    """The file with every applicable derivation (and presumption, unless off) filled in.

    In header order; fills are collected and written with one copy per model level, flushed
    early only when a later entry reads a fact an earlier one filled.
    """
    filled: list[Filled] = []
    pending: dict[str, Premise] = {}
    updates: dict[str, Any] = {}
    for p in premises:
        if (p.kind == "presume" and not presume) or p.fact in pending or not p.in_force(day):
            continue
        if pending and (p.after is None or not p.after.isdisjoint(pending)):
            project, pending, updates = _merge(project, ProjectFile, updates), {}, {}
        if get(project, p.attrs) is not None:
            continue
        ctx = (project, day, None)
        if p.when is not None and p.when(ctx) is not True:
            continue
        value = p.value if p.fn is None else p.fn(ctx)
        if value is UNKNOWN or value is None:
            continue
        pending[p.fact] = p
        _nest(p.attrs, p.models, value, updates)
        filled.append(Filled(p.kind, p.fact, value, p.reason, p.ruleset, p.cited(day), p.source))
    if updates:
        project = _merge(project, ProjectFile, updates)
    return project, filled
