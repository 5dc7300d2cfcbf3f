"""The reference interpreter: walks the AST directly, written for clarity, not speed.

It exists so the compiled closures can be checked against an independent reading of the
same semantics (a differential test, as Cedar checks its engine against its Lean model).
"""

from __future__ import annotations

from typing import Any

from .expr import Arith, Between, BoolOp, Call, Compare, ListLit, Literal, Node, Not, Path, Period, Where
from .typecheck import Checked
from .values import UNKNOWN, days_between, months_between, shift, years_between


def _kleene_not(v: Any) -> Any:
    return UNKNOWN if v is UNKNOWN else (not v)


def _kleene_and(values: list[Any]) -> Any:
    if any(v is False for v in values):
        return False
    if any(v is UNKNOWN for v in values):
        return UNKNOWN
    return True


def _kleene_or(values: list[Any]) -> Any:
    return _kleene_not(_kleene_and([_kleene_not(v) for v in values]))


Definitions = dict[str, tuple[Node, Checked]]


class Interpreter:
    def __init__(self, checked: Checked, project: Any, as_of: Any, definitions: Definitions | None = None):
        self.checked = checked
        self.project = project
        self.as_of = as_of
        self.definitions = definitions or {}

    def eval(self, node: Node, scopes: tuple = ()) -> Any:
        match node:
            case Literal(value=v):
                return v
            case Period():
                return node
            case ListLit(items=items):
                values = [self.eval(i, scopes) for i in items]
                return UNKNOWN if UNKNOWN in values else values
            case Path():
                return self.fact(node, scopes)
            case Not(operand=o):
                return _kleene_not(self.eval(o, scopes))
            case BoolOp(op="and", operands=ops):
                return _kleene_and([self.eval(o, scopes) for o in ops])
            case BoolOp(op="or", operands=ops):
                return _kleene_or([self.eval(o, scopes) for o in ops])
            case Compare(op=op, left=left, right=right):
                a, b = self.eval(left, scopes), self.eval(right, scopes)
                if a is UNKNOWN or b is UNKNOWN:
                    return UNKNOWN
                if op == "in":
                    return a in b
                if op == "not_in":
                    return a not in b
                return {
                    "==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b,
                }[op]
            case Between(value=v, low=lo, high=hi):
                x, a, b = self.eval(v, scopes), self.eval(lo, scopes), self.eval(hi, scopes)
                if UNKNOWN in (x, a, b):
                    return UNKNOWN
                return a <= x and x <= b
            case Arith(op=op, left=left, right=right):
                a, b = self.eval(left, scopes), self.eval(right, scopes)
                if a is UNKNOWN or b is UNKNOWN:
                    return UNKNOWN
                if isinstance(b, Period):
                    return shift(a, b.amount if op == "+" else -b.amount, b.unit)
                return a + b if op == "+" else a - b
            case Call():
                return self.call(node, scopes)
        raise AssertionError(node)

    def fact(self, node: Path, scopes: tuple) -> Any:
        ref = self.checked.paths[node]
        if ref.scope == -2:
            def_node, def_checked = self.definitions[ref.attrs[0]]
            return Interpreter(def_checked, self.project, self.as_of, self.definitions).eval(def_node)
        if ref.scope == -1:
            return self.as_of
        value = self.project if ref.scope == 0 else scopes[ref.scope - 1]
        for attr in ref.attrs:
            value = getattr(value, attr)
            if value is None:
                return UNKNOWN
        return value

    def call(self, node: Call, scopes: tuple) -> Any:
        args = node.args
        if node.name == "exists":
            return self.eval(args[0], scopes) is not UNKNOWN
        if node.name == "submitted":
            doc = self.eval(args[0], scopes)
            return doc is not UNKNOWN and doc.present is True
        if node.name.endswith("_between"):
            a, b = self.eval(args[0], scopes), self.eval(args[1], scopes)
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            fn = {"days_between": days_between, "months_between": months_between, "years_between": years_between}
            return fn[node.name](a, b)
        return self.quantify(node, scopes)

    def quantify(self, node: Call, scopes: tuple) -> Any:
        source, cond = node.args[0], None
        if isinstance(source, Where):
            source, cond = source.source, source.cond
        items = self.eval(source, scopes)
        if items is UNKNOWN:
            return UNKNOWN
        selected: list[Any] = []  # per element: whether it is in the filtered list
        values: list[Any] = []  # per element: the second argument's value
        for item in items:
            inner = scopes + (item,)
            selected.append(True if cond is None else self.eval(cond, inner))
            values.append(self.eval(node.args[1], inner) if len(node.args) > 1 else True)
        pairs = list(zip(selected, values))
        if node.name == "any":
            return _kleene_or([_kleene_and([s, v]) for s, v in pairs])
        if node.name == "all":
            return _kleene_and([_kleene_or([_kleene_not(s), v]) for s, v in pairs])
        if any(s is UNKNOWN for s in selected):
            return UNKNOWN
        if node.name == "count":
            return sum(1 for s in selected if s)
        chosen = [v for s, v in pairs if s]
        return UNKNOWN if UNKNOWN in chosen else sum(chosen)


def interpret(node: Node, checked: Checked, project: Any, as_of: Any, definitions: Definitions | None = None) -> Any:
    """Evaluate ``node`` against a project file by walking the tree."""
    return Interpreter(checked, project, as_of, definitions).eval(node)
