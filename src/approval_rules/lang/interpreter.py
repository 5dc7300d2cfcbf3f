"""The reference interpreter: walks the AST directly, written for clarity, not speed.

It exists so the compiled closures can be checked against an independent reading of the
same semantics (a differential test, as Cedar checks its engine against its Lean model).
Alongside each value it computes the *blame* of an unknown result: the missing facts that
actually kept it unknown (in ``a and b`` with ``a`` false, a missing ``b`` is not to blame),
which is what a finding lists as the facts to supply.
"""

from __future__ import annotations

from typing import Any

from .expr import Arith, Between, BoolOp, Call, Compare, ListLit, Literal, Node, Not, Path, Period, Where
from .typecheck import Checked
from .values import UNKNOWN, days_between, finite, months_between, shift, years_between

Definitions = dict[str, tuple[Node, Checked]]
Result = tuple[Any, frozenset[str]]  # (value, the missing facts to blame when the value is unknown)
NONE: frozenset[str] = frozenset()


def _blame(results: list[Result]) -> frozenset[str]:
    return frozenset().union(*(b for v, b in results if v is UNKNOWN))


def _not(r: Result) -> Result:
    v, b = r
    return (UNKNOWN, b) if v is UNKNOWN else (not v, NONE)


def _and(results: list[Result]) -> Result:
    if any(v is False for v, _ in results):
        return False, NONE
    if any(v is UNKNOWN for v, _ in results):
        return UNKNOWN, _blame(results)
    return True, NONE


def _or(results: list[Result]) -> Result:
    return _not(_and([_not(r) for r in results]))


def _strict(results: list[Result]) -> frozenset[str] | None:
    """For operators that need every operand: the blame if any operand is unknown."""
    return _blame(results) if any(v is UNKNOWN for v, _ in results) else None


class Interpreter:
    def __init__(
        self, checked: Checked, project: Any, as_of: Any, definitions: Definitions | None = None, partial: bool = False
    ):
        self.checked = checked
        self.project = project
        self.as_of = as_of
        self.definitions = definitions or {}
        # Partial evaluation: an absent fact stands for "any value", so a presence test of it
        # is unknown too. A result that is still definite then holds for every completed file.
        self.partial = partial

    def eval(self, node: Node, scopes: tuple[Any, ...] = ()) -> Any:
        return self.run(node, scopes)[0]

    def run(self, node: Node, scopes: tuple[Any, ...] = ()) -> Result:
        """Value and blame of ``node``; ``scopes`` holds (element, label) for each enclosing list."""
        match node:
            case Literal(value=v):
                return v, NONE
            case Period():
                return node, NONE
            case ListLit(items=items):
                results = [self.run(i, scopes) for i in items]
                blame = _strict(results)
                return (UNKNOWN, blame) if blame is not None else ([v for v, _ in results], NONE)
            case Path():
                return self.fact(node, scopes)
            case Not(operand=o):
                return _not(self.run(o, scopes))
            case BoolOp(op="and", operands=ops):
                return _and([self.run(o, scopes) for o in ops])
            case BoolOp(op="or", operands=ops):
                return _or([self.run(o, scopes) for o in ops])
            case Compare(op=op, left=left, right=right):
                results = [self.run(left, scopes), self.run(right, scopes)]
                blame = _strict(results)
                if blame is not None:
                    return UNKNOWN, blame
                a, b = results[0][0], results[1][0]
                if op == "in":
                    return a in b, NONE
                if op == "not_in":
                    return a not in b, NONE
                return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op], NONE
            case Between(value=v, low=lo, high=hi):
                results = [self.run(v, scopes), self.run(lo, scopes), self.run(hi, scopes)]
                blame = _strict(results)
                if blame is not None:
                    return UNKNOWN, blame
                x, a, b = (r[0] for r in results)
                return a <= x and x <= b, NONE
            case Arith(op=op, left=left, right=right):
                results = [self.run(left, scopes), self.run(right, scopes)]
                blame = _strict(results)
                if blame is not None:
                    return UNKNOWN, blame
                a, b = results[0][0], results[1][0]
                if isinstance(b, Period):
                    return shift(a, b.amount if op == "+" else -b.amount, b.unit), NONE
                return (a + b if op == "+" else a - b), NONE
            case Call():
                return self.call(node, scopes)
        raise AssertionError(node)

    def fact(self, node: Path, scopes: tuple[Any, ...]) -> Result:
        ref = self.checked.paths[node]
        if ref.scope == -2:
            def_node, def_checked = self.definitions[ref.attrs[0]]
            return Interpreter(def_checked, self.project, self.as_of, self.definitions, self.partial).run(def_node)
        if ref.scope == -1:
            return (UNKNOWN, NONE) if self.as_of is None else (self.as_of, NONE)
        if ref.scope == 0:
            value, label = self.project, ".".join(ref.names)
        else:
            value, prefix = scopes[ref.scope - 1]
            label = f"{prefix}.{'.'.join(ref.names)}"
        for attr in ref.attrs:
            value = getattr(value, attr)
            if value is None:
                return UNKNOWN, frozenset({label})
        if ref.type.kind == "number" and not finite(value):
            return UNKNOWN, frozenset({label})
        return value, NONE

    def call(self, node: Call, scopes: tuple[Any, ...]) -> Result:
        args = node.args
        if node.name in ("exists", "submitted"):
            value = self.run(args[0], scopes)[0]
            if value is UNKNOWN:
                return (UNKNOWN if self.partial else False), NONE
            return (True if node.name == "exists" else value.present is True), NONE
        if node.name.endswith("_between"):
            results = [self.run(args[0], scopes), self.run(args[1], scopes)]
            blame = _strict(results)
            if blame is not None:
                return UNKNOWN, blame
            fn = {"days_between": days_between, "months_between": months_between, "years_between": years_between}
            return fn[node.name](results[0][0], results[1][0]), NONE
        return self.quantify(node, scopes)

    def quantify(self, node: Call, scopes: tuple[Any, ...]) -> Result:
        source = node.args[0]
        cond: Node | None = None
        if isinstance(source, Where):
            cond, source = source.cond, source.source
        items, blame = self.run(source, scopes)
        if items is UNKNOWN:
            return UNKNOWN, blame
        ref = self.checked.paths.get(source)
        base = _label(ref, scopes) if ref is not None else "列表"
        selected: list[Result] = []  # per element: whether it is in the filtered list
        values: list[Result] = []  # per element: the second argument's value
        for i, item in enumerate(items):
            inner = scopes + ((item, f"{base}[{i}]"),)
            selected.append((True, NONE) if cond is None else self.run(cond, inner))
            values.append(self.run(node.args[1], inner) if len(node.args) > 1 else (True, NONE))
        pairs = list(zip(selected, values))
        if node.name == "any":
            return _or([_and([s, v]) for s, v in pairs])
        if node.name == "all":
            return _and([_or([_not(s), v]) for s, v in pairs])
        if node.name == "count":
            if any(s[0] is UNKNOWN for s in selected):
                return UNKNOWN, _blame(selected)
            return sum(1 for s, _ in selected if s), NONE
        # An element whose membership is unknown but whose value is a known 0 adds 0 either way.
        doubtful = [s for s, v in pairs if s[0] is UNKNOWN and v[0] != 0]
        if doubtful:
            return UNKNOWN, _blame(doubtful)
        chosen = [v for s, v in pairs if s[0] is True]
        unknown = _strict(chosen)
        return (UNKNOWN, unknown) if unknown is not None else (sum(v for v, _ in chosen), NONE)


def _label(ref: Any, scopes: tuple[Any, ...]) -> str:
    names = ".".join(ref.names)
    return names if ref.scope <= 0 else f"{scopes[ref.scope - 1][1]}.{names}"


def interpret(node: Node, checked: Checked, project: Any, as_of: Any, definitions: Definitions | None = None) -> Any:
    """Evaluate ``node`` against a project file by walking the tree."""
    return Interpreter(checked, project, as_of, definitions).eval(node)


def blame(node: Node, checked: Checked, project: Any, as_of: Any, definitions: Definitions | None = None) -> Result:
    """The value of ``node`` and, if unknown, the missing facts that keep it unknown."""
    return Interpreter(checked, project, as_of, definitions).run(node)


def partially(node: Node, checked: Checked, known: Any, definitions: Definitions | None = None) -> Any:
    """The value of ``node`` when only the facts in ``known`` are known (absent ones mean any value)."""
    return Interpreter(checked, known, None, definitions, partial=True).eval(node)
