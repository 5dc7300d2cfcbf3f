"""Compile a checked expression AST into Python closures with three-valued (Kleene) logic.

Each closure takes one context tuple ``(project, as_of, trace, element1, element2, …)``.
Closures are built once when a rule set loads and are pure, so one compiled rule set can
serve many threads. With ``traced=True`` the same compiler adds trace recording: every
node's value and every fact read, without short-circuits, for findings, explain and coverage.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ..lang.expr import Arith, Between, BoolOp, Call, Compare, ListLit, Literal, Node, Not, Path, Period, Where
from ..lang.typecheck import Checked, PathRef
from ..lang.values import UNKNOWN, days_between, finite, months_between, shift, years_between

Fn = Callable[[tuple[Any, ...]], Any]
U = UNKNOWN

_CMP = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass
class Trace:
    """What one traced evaluation saw: node values and facts read, in evaluation order."""

    events: list[tuple[Node, Any]] = field(default_factory=list)
    facts: list[tuple[str, Any]] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)


Definitions = dict[str, tuple[Fn, Fn]]  # name -> (fast, traced) closures


def compile_expr(node: Node, checked: Checked, traced: bool = False, definitions: Definitions | None = None) -> Fn:
    return _Compiler(checked, traced, definitions or {}).build(node)


class _Compiler:
    def __init__(self, checked: Checked, traced: bool, definitions: Definitions):
        self.checked = checked
        self.traced = traced
        self.definitions = definitions

    def build(self, node: Node) -> Fn:
        fn = self._build(node)
        if not self.traced:
            return fn

        def record(ctx: tuple[Any, ...], fn: Fn = fn, node: Node = node) -> Any:
            value = fn(ctx)
            ctx[2].events.append((node, value))
            return value

        return record

    def _build(self, node: Node) -> Fn:
        match node:
            case Literal(value=v):
                return lambda ctx: v
            case Period():
                return lambda ctx: node
            case ListLit(items=items):
                return self.list_literal(items)
            case Path():
                return self.path(node)
            case Not(operand=o):
                inner = self.build(o)

                def not_(ctx: tuple[Any, ...]) -> Any:
                    v = inner(ctx)
                    return U if v is U else not v

                return not_
            case BoolOp(op=op, operands=ops):
                return self.boolop(op, [self.build(o) for o in ops])
            case Compare():
                return self.compare(node)
            case Between(value=v, low=lo, high=hi):
                return self.between(self.build(v), self.build(lo), self.build(hi))
            case Arith():
                return self.arith(node)
            case Call():
                return self.call(node)
        raise AssertionError(f"uncompilable node {node!r}")

    # -- facts --------------------------------------------------------------------------------

    def path(self, node: Path) -> Fn:
        ref = self.checked.paths[node]
        slot = 0 if ref.scope == 0 else 2 + ref.scope
        if ref.scope == -2:
            getter: Fn = self.definitions[ref.attrs[0]][1 if self.traced else 0]
        elif ref.scope == -1:
            getter = lambda ctx: ctx[1]  # noqa: E731
        else:
            getter = _getter(slot, ref.attrs)
            if ref.type.kind == "number":
                getter = _finite(getter)
        if not self.traced:
            return getter

        def traced_path(ctx: tuple[Any, ...]) -> Any:
            value = getter(ctx)
            ctx[2].facts.append((_label(ref, ctx[2]), None if value is U else value))
            return value

        return traced_path

    # -- logic --------------------------------------------------------------------------------

    def boolop(self, op: str, fns: list[Fn]) -> Fn:
        stop = op == "or"  # the value that decides: True for or, False for and
        traced = self.traced

        def kleene(ctx: tuple[Any, ...]) -> Any:
            unknown = False
            decided = False
            for fn in fns:
                v = fn(ctx)
                if v is U:
                    unknown = True
                elif v is stop:
                    decided = True
                    if not traced:
                        break
            if decided:
                return stop
            return U if unknown else not stop

        return kleene

    def compare(self, node: Compare) -> Fn:
        left = self.build(node.left)
        if node.op in ("in", "not_in"):
            negate = node.op == "not_in"
            if isinstance(node.right, ListLit) and all(isinstance(i, Literal) for i in node.right.items):
                values = frozenset(i.value for i in node.right.items)  # type: ignore[attr-defined]

                def in_const(ctx: tuple[Any, ...]) -> Any:
                    v = left(ctx)
                    return U if v is U else (v in values) != negate

                return in_const
            right = self.build(node.right)

            def in_(ctx: tuple[Any, ...]) -> Any:
                v, r = left(ctx), right(ctx)
                if v is U or r is U:
                    return U
                return (v in r) != negate

            return in_
        right = self.build(node.right)
        cmp = _CMP[node.op]

        def compare(ctx: tuple[Any, ...]) -> Any:
            a = left(ctx)
            b = right(ctx)
            if a is U or b is U:
                return U
            return cmp(a, b)

        return compare

    def between(self, v: Fn, lo: Fn, hi: Fn) -> Fn:
        def between(ctx: tuple[Any, ...]) -> Any:
            a, b, c = v(ctx), lo(ctx), hi(ctx)
            if a is U or b is U or c is U:
                return U
            return b <= a <= c

        return between

    def arith(self, node: Arith) -> Fn:
        left, right = self.build(node.left), self.build(node.right)
        sign = 1 if node.op == "+" else -1
        if isinstance(node.right, Period):
            amount, unit = node.right.amount * sign, node.right.unit

            def date_shift(ctx: tuple[Any, ...]) -> Any:
                d = left(ctx)
                right(ctx)
                return U if d is U else shift(d, amount, unit)

            return date_shift

        def number(ctx: tuple[Any, ...]) -> Any:
            a, b = left(ctx), right(ctx)
            if a is U or b is U:
                return U
            return a + sign * b

        return number

    def list_literal(self, items: tuple[Node, ...]) -> Fn:
        fns = [self.build(i) for i in items]

        def list_(ctx: tuple[Any, ...]) -> Any:
            out = [f(ctx) for f in fns]
            return U if any(v is U for v in out) else out

        return list_

    # -- functions ----------------------------------------------------------------------------

    def call(self, node: Call) -> Fn:
        name = node.name
        if name == "exists":
            inner = self.build(node.args[0])
            return lambda ctx: inner(ctx) is not U
        if name == "submitted":
            inner = self.build(node.args[0])

            def submitted(ctx: tuple[Any, ...]) -> bool:
                doc = inner(ctx)
                return doc is not U and doc.present is True

            return submitted
        if name in ("days_between", "months_between", "years_between"):
            fn = {"days_between": days_between, "months_between": months_between, "years_between": years_between}[name]
            a, b = self.build(node.args[0]), self.build(node.args[1])

            def dates(ctx: tuple[Any, ...]) -> Any:
                x, y = a(ctx), b(ctx)
                return U if x is U or y is U else fn(x, y)

            return dates
        return self.quantifier(node)

    def quantifier(self, node: Call) -> Fn:
        source_node = node.args[0]
        cond = None
        if isinstance(source_node, Where):
            cond = self.build(source_node.cond)
            source_node = source_node.source
        source = self.build(source_node)
        label = _list_label(self.checked, source_node)
        per = self.build(node.args[1]) if len(node.args) > 1 else None
        traced = self.traced
        name = node.name

        def elements(ctx: tuple[Any, ...]) -> Iterator[tuple[Any, Any, bool]]:
            """Yield (filter value, per-element value) for each element of the list."""
            items = source(ctx)
            if items is U:
                yield U, U, True
                return
            trace = ctx[2]
            for i, item in enumerate(items):
                if traced:
                    trace.prefixes.append(f"{label(trace)}[{i}]")
                inner = ctx + (item,)
                c = True if cond is None else cond(inner)
                p = None
                if per is not None and (traced or c is not False):
                    p = per(inner)
                if traced:
                    trace.prefixes.pop()
                yield c, p, False

        if name == "any":

            def any_(ctx: tuple[Any, ...]) -> Any:
                unknown = found = False
                for c, p, missing in elements(ctx):
                    if missing:
                        return U
                    v = _and(c, True if per is None else p)
                    if v is True:
                        found = True
                        if not traced:
                            return True
                    elif v is U:
                        unknown = True
                return True if found else (U if unknown else False)

            return any_
        if name == "all":

            def all_(ctx: tuple[Any, ...]) -> Any:
                unknown = broken = False
                for c, p, missing in elements(ctx):
                    if missing:
                        return U
                    violation = _and(c, U if p is U else (None if p is None else not p))
                    if violation is True:
                        broken = True
                        if not traced:
                            return False
                    elif violation is U:
                        unknown = True
                return False if broken else (U if unknown else True)

            return all_
        if name == "count":

            def count(ctx: tuple[Any, ...]) -> Any:
                n = 0
                unknown = False
                for c, _, missing in elements(ctx):
                    if missing:
                        return U
                    if c is U:
                        unknown = True
                    elif c:
                        n += 1
                return U if unknown else n

            return count

        def sum_(ctx: tuple[Any, ...]) -> Any:
            total: Any = 0
            unknown = False
            for c, p, missing in elements(ctx):
                if missing:
                    return U
                if p is U or (c is U and p != 0):  # a known 0 adds nothing, in the list or not
                    unknown = unknown or c is not False
                elif c is True:
                    total += p
            return U if unknown else total

        return sum_


def _and(a: Any, b: Any) -> Any:
    if a is False or b is False:
        return False
    if a is U or b is U:
        return U
    return True


def _getter(slot: int, attrs: tuple[str, ...]) -> Fn:
    if len(attrs) == 1:
        (a,) = attrs

        def get1(ctx: tuple[Any, ...]) -> Any:
            v = getattr(ctx[slot], a)
            return U if v is None else v

        return get1
    if len(attrs) == 2:
        a, b = attrs

        def get2(ctx: tuple[Any, ...]) -> Any:
            v = getattr(ctx[slot], a)
            if v is None:
                return U
            v = getattr(v, b)
            return U if v is None else v

        return get2

    def get_n(ctx: tuple[Any, ...]) -> Any:
        v = ctx[slot]
        for a in attrs:
            v = getattr(v, a)
            if v is None:
                return U
        return v

    return get_n


def _finite(getter: Fn) -> Fn:
    def get_finite(ctx: tuple[Any, ...]) -> Any:
        v = getter(ctx)
        return v if v is U or finite(v) else U

    return get_finite


def _label(ref: PathRef, trace: Trace) -> str:
    names = ".".join(ref.names)
    if ref.scope <= 0:
        return names
    return f"{trace.prefixes[ref.scope - 1]}.{names}"


def _list_label(checked: Checked, node: Node) -> Callable[[Trace], str]:
    ref = checked.paths.get(node) if isinstance(node, Path) else None
    if ref is None:
        return lambda trace: "列表"
    return lambda trace: _label(ref, trace)
