"""Translate the bundled rules into one GoRules zen decision, for the speed comparison only.

Each rule's ``when`` and ``require`` become zen expressions that evaluate to true, false or
null, null standing for "unknown" (a missing fact), with Kleene logic written out in ternaries:
``a and b`` is false if either is false, else null if either is null, else true. Dates are day
numbers (as the durable backend asserts them). What zen's language cannot say here is left
out and counted: date arithmetic in months or years, whole-month differences, comparisons of
list elements with the file's other facts inside nested lists. Zen returns, per rule, the two
truth values; deciding the rule from them is the same Kleene step the engine uses.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from approval_rules.engine.book import CompiledRule, RuleBook
from approval_rules.lang.expr import Arith, Between, BoolOp, Call, Compare, ListLit, Literal, Node, Not, Path, Period, Where
from approval_rules.lang.typecheck import Checked


class Unsupported(Exception):
    pass


def _lit(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, _dt.date):
        return str(v.toordinal())
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _kand(parts: list[str]) -> str:
    parts = [p for p in parts if p != "true"] or ["true"]
    if len(parts) == 1:
        return parts[0]
    false = " or ".join(f"({p}) == false" for p in parts)
    null = " or ".join(f"({p}) == null" for p in parts)
    return f"(({false}) ? false : (({null}) ? null : true))"


def _kor(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    true = " or ".join(f"({p}) == true" for p in parts)
    null = " or ".join(f"({p}) == null" for p in parts)
    return f"(({true}) ? true : (({null}) ? null : false))"


def _knot(p: str) -> str:
    return f"(({p}) == null ? null : not ({p}))"


class _Zen:
    def __init__(self, rule: CompiledRule, prefix: str):
        self.defs = rule.definitions
        self.prefix = prefix
        self.expressions: list[tuple[str, str]] = []

    def emit(self, expr: str) -> str:
        """Give a sub-expression its own key, so that it is written (and computed) once."""
        key = f"{self.prefix}_{len(self.expressions)}"
        self.expressions.append((key, expr))
        return f"$.{key}"

    def value(self, node: Node, checked: Checked, element: bool) -> tuple[str, list[str]]:
        """A zen value expression and the expressions that must not be null for it to be known."""
        match node:
            case Literal(value=v):
                return _lit(v), []
            case Path():
                ref = checked.paths[node]
                if ref.scope == -1:
                    return "__as_of", []
                if ref.scope == -2:
                    d = self.defs[ref.names[0]]
                    if d.type.kind == "bool":
                        raise Unsupported
                    return self.value(d.node, d.checked, False)
                if ref.scope == 0:
                    path = ".".join(ref.names)
                    return path, [path]
                if ref.scope == 1 and element:
                    path = "#." + ".".join(ref.names)
                    return path, [path]
                raise Unsupported
            case Arith(op=op, left=left, right=Period(amount=n, unit="days")):
                v, g = self.value(left, checked, element)
                return f"({v} {op} {n})", g
            case Arith(op=op, left=left, right=right) if not isinstance(right, Period):
                a, ga = self.value(left, checked, element)
                b, gb = self.value(right, checked, element)
                return f"({a} {op} {b})", ga + gb
            case Call(name="days_between", args=(a, b)):
                x, gx = self.value(a, checked, element)
                y, gy = self.value(b, checked, element)
                return f"({y} - {x})", gx + gy
            case Call(name="count" | "sum"):
                if element:
                    raise Unsupported
                value = self.emit(self.aggregate(node, checked))
                return value, [value]
        raise Unsupported

    def aggregate(self, node: Call, checked: Checked) -> str:
        source, cond = node.args[0], None
        if isinstance(source, Where):
            source, cond = source.source, source.cond
        items, _ = self.value(source, checked, False)
        c = self.cond(cond, checked, True) if cond is not None else "true"
        known = f"{items} == null or some({items}, ({c}) == null)"
        if node.name == "count":
            return f"(({known}) ? null : count({items}, ({c}) == true))"
        f, _ = self.value(node.args[1], checked, True)
        return f"(({known} or some({items}, ({c}) == true and {f} == null)) ? null : sum(map(filter({items}, ({c}) == true), {f})))"

    def cond(self, node: Node, checked: Checked, element: bool = False) -> str:
        """A zen expression that is true, false or null (unknown); at file scope, a key."""
        expr = self._cond(node, checked, element)
        return expr if element or expr in ("true", "false") or expr.startswith("$.") else self.emit(expr)

    def _cond(self, node: Node, checked: Checked, element: bool) -> str:
        match node:
            case Literal(value=bool() as v):
                return _lit(v)
            case Not(operand=o):
                return _knot(self.cond(o, checked, element))
            case BoolOp(op="and", operands=ops):
                return _kand([self.cond(o, checked, element) for o in ops])
            case BoolOp(op="or", operands=ops):
                return _kor([self.cond(o, checked, element) for o in ops])
            case Path():
                ref = checked.paths[node]
                if ref.scope == -2:
                    d = self.defs[ref.names[0]]
                    return self.cond(d.node, d.checked, False)
                v, _ = self.value(node, checked, element)
                return v
            case Compare(op=op, left=left, right=right):
                a, ga = self.value(left, checked, element)
                if isinstance(right, ListLit):
                    items = ", ".join(_lit(i.value) for i in right.items if isinstance(i, Literal))
                    test = f"{a} {'in' if op == 'in' else 'not in'} [{items}]"
                    return self._guard(ga, test)
                b, gb = self.value(right, checked, element)
                zop = {"in": "in", "not_in": "not in"}.get(op, op)
                return self._guard(ga + gb, f"{a} {zop} {b}")
            case Between(value=v, low=lo, high=hi):
                x, gx = self.value(v, checked, element)
                a, ga = self.value(lo, checked, element)
                b, gb = self.value(hi, checked, element)
                return self._guard(gx + ga + gb, f"{x} >= {a} and {x} <= {b}")
            case Call(name="exists", args=(Path() as p,)):
                v, _ = self.value(p, checked, element)
                return f"({v} != null)"
            case Call(name="submitted", args=(Path() as p,)):
                v, _ = self.value(p, checked, element)
                return f"({v} != null and {v}.present == true)"
            case Call(name="any" | "all"):
                if element:
                    raise Unsupported
                return self.quantifier(node, checked)
        raise Unsupported

    @staticmethod
    def _guard(guards: list[str], test: str) -> str:
        if not guards:
            return f"({test})"
        null = " or ".join(f"{g} == null" for g in dict.fromkeys(guards))
        return f"(({null}) ? null : ({test}))"

    def quantifier(self, node: Call, checked: Checked) -> str:
        source, cond = node.args[0], None
        if isinstance(source, Where):
            source, cond = source.source, source.cond
        items, _ = self.value(source, checked, False)
        parts = [self.cond(p, checked, True) for p in ([cond] if cond is not None else []) + list(node.args[1:])]
        if node.name == "any":
            e = _kand(parts) if parts else "true"
            return f"({items} == null ? null : (some({items}, ({e}) == true) ? true : (some({items}, ({e}) == null) ? null : false)))"
        f, p = (parts[0], parts[1]) if len(parts) == 2 else ("true", parts[0])
        violation = _kand([f, _knot(p)])
        return f"({items} == null ? null : (some({items}, ({violation}) == true) ? false : (some({items}, ({violation}) == null) ? null : true)))"


def translate(book: RuleBook) -> tuple[str, dict[int, tuple[str, str]], int]:
    """The zen decision (JDM JSON), each expressible rule's output keys, and how many were not."""
    expressions = []
    keys: dict[int, tuple[str, str]] = {}
    skipped = 0
    for i, rule in enumerate(book.rules):
        z = _Zen(rule, f"r{i}")
        try:
            w = z.cond(rule.when.node, rule.when.checked)
            q = z.cond(rule.require.node, rule.require.checked)
        except Unsupported:
            skipped += 1
            continue
        keys[id(rule)] = (f"w{i}", f"q{i}")
        expressions += [{"id": k, "key": k, "value": v} for k, v in z.expressions]
        expressions += [{"id": f"w{i}", "key": f"w{i}", "value": w}, {"id": f"q{i}", "key": f"q{i}", "value": q}]
    content = {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "input", "position": {"x": 0, "y": 0}},
            {"id": "rules", "type": "expressionNode", "name": "rules", "position": {"x": 1, "y": 0},
             "content": {"expressions": expressions}},
            {"id": "out", "type": "outputNode", "name": "output", "position": {"x": 2, "y": 0}},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "rules", "type": "edge"},
            {"id": "e2", "sourceId": "rules", "targetId": "out", "type": "edge"},
        ],
    }
    return json.dumps(content, ensure_ascii=False), keys, skipped
