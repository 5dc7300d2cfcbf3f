"""The durable-rules backend, part one: the rule AST translated into durable-rules rulesets.

Each requirement becomes three durable rules, so
that "nothing fired" can be told apart from "passed" (durable treats a missing field as a
non-match, for a test and its negation alike):

- NA   = guard and when⁻          (the rule surely does not apply)
- PASS = guard and require⁺       (the requirement surely holds)
- FAIL = guard and when⁺ and require⁻
- none of them fired: unknown (a fact is missing)

X⁺ / X⁻ ("surely true" / "surely false") push negation down to the leaves (== ↔ !=,
< ↔ >=, and ↔ or, any ↔ all-not). A sub-condition durable cannot express faithfully (date
arithmetic, counts, sums, definitions with values, ``or`` across fields inside a list test)
is decided by the native evaluator before the file is asserted and handed to durable as a
field; ``native_nodes`` lists them so ``explain`` can say so. Imports nothing from ``durable``.
"""

from __future__ import annotations

import datetime as _dt
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, cast

from ..closures import compile_expr
from ..book import CompiledRule, RuleBook
from ...lang.expr import Between, BoolOp, Call, Compare, ListLit, Literal, Node, Not, Path, Where
from ...lang.typecheck import Checked

GUARD = {"$ex": {"_doc": 1}}
CHUNK = 36  # durable rules per ruleset: 64 simultaneously-true tests under one node raise error 303
BRANCHES = 64  # alternatives per rule: deep $and-of-$or nests fail to build (error 113) and fire once each
_OPS = {"==": None, "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
TRUE, FALSE = "TRUE", "FALSE"  # conditions known without the engine
_names = itertools.count()


class _NotExpressible(Exception):
    pass


def _value(v: Any) -> Any:
    return v.toordinal() if isinstance(v, _dt.date) else v


def _flat(op: str, parts: list[Any]) -> list[Any]:
    out: list[Any] = []
    for p in parts:
        out += p[op] if isinstance(p, dict) and list(p) == [op] else [p]
    return out


def _and(parts: list[Any]) -> Any:
    if FALSE in parts:
        return FALSE
    parts = _flat("$and", [p for p in parts if p is not TRUE])
    return TRUE if not parts else parts[0] if len(parts) == 1 else {"$and": parts}


def _or(parts: list[Any]) -> Any:
    if TRUE in parts:
        return TRUE
    parts = _flat("$or", [p for p in parts if p is not FALSE])
    return FALSE if not parts else parts[0] if len(parts) == 1 else {"$or": parts}


def branches(expr: Any) -> int:
    """How many rule instances durable builds for ``expr``: it expands $or into alternatives."""
    if not isinstance(expr, dict):
        return 1
    if "$and" in expr:
        n = 1
        for p in expr["$and"]:
            n *= branches(p)
        return n
    if "$or" in expr:
        return sum(branches(p) for p in expr["$or"])
    return 1


def _compare(op: str, path: str, value: Any) -> dict[str, Any]:
    return {path: value} if op == "==" else {cast(str, _OPS[op]): {path: value}}


@dataclass
class _Native:
    """A sub-condition decided by the native evaluator and handed to durable as a field."""

    field: str
    node: Node
    fn: Callable[[tuple[Any, ...]], Any]


@dataclass
class _Compiled:
    rules: dict[str, dict[str, dict[str, Any]]]  # ruleset name -> durable rule definitions
    keys: dict[int, tuple[str, str, str, str]]  # id(rule) -> (ruleset of NA, PASS, FAIL keys...)
    chunk_of: dict[int, str]
    natives: list[_Native]
    native_nodes: set[Node]
    uses: dict[str, set[str]]  # ruleset name -> top-level fields its rules read
    lists: set[str] = field(default_factory=set)  # list paths whose length rules test


class _Translator:
    """One rule's conditions into durable expressions (or native fields)."""

    def __init__(self, rule: CompiledRule, natives: list[_Native], uses: set[str], lists: set[str]):
        self.rule = rule
        self.natives = natives
        self.uses = uses
        self.lists = lists
        self.defs = {n: (d.fast, d.fast) for n, d in rule.definitions.items()}
        self.hoisted: set[str] = set()  # file fields an element test refers to: tested outside the list test

    def both(self, node: Node, checked: Checked) -> tuple[Any, Any]:
        """(surely true, surely false) of a condition in the file's scope."""
        try:
            return self.pos(node, checked, False), self.neg(node, checked, False)
        except _NotExpressible:
            return self.native(node, checked)

    def conjoin(self, parts: list[tuple[Node, Checked, Any]]) -> Any:
        """The $and of whole conditions (when⁺ and require⁻), kept under BRANCHES alternatives."""
        exprs = [e for _, _, e in parts]
        while branches(_and(exprs)) > BRANCHES:
            widest = max(range(len(exprs)), key=lambda i: branches(exprs[i]))
            node, checked, _ = parts[widest]
            pos, neg = self.native(node, checked)
            exprs[widest] = neg if widest else pos
        return _and(exprs)

    def native(self, node: Node, checked: Checked) -> tuple[Any, Any]:
        name = f"__native{len(self.natives)}"
        self.natives.append(_Native(name, node, compile_expr(node, checked, False, self.defs)))
        self.uses.add(name)
        return {name: True}, {name: False}

    # -- surely true / surely false ------------------------------------------------------------

    def pos(self, node: Node, checked: Checked, element: bool) -> Any:
        return self._bool(node, checked, element, positive=True)

    def neg(self, node: Node, checked: Checked, element: bool) -> Any:
        return self._bool(node, checked, element, positive=False)

    def _bool(self, node: Node, checked: Checked, element: bool, positive: bool) -> Any:
        match node:
            case Literal(value=bool() as v):
                return TRUE if v == positive else FALSE
            case Not(operand=o):
                return self._bool(o, checked, element, not positive)
            case BoolOp(op=op, operands=ops):
                parts = [self._sub(o, checked, element, positive) for o in ops]
                if (op == "and") == positive:
                    return self._bounded_and(list(ops), parts, checked, element, positive)
                if element:
                    raise _NotExpressible  # $or inside $iany/$iall across fields gives wrong answers
                result = _or(parts)
                if branches(result) > BRANCHES:
                    raise _NotExpressible
                return result
            case Path():
                ref = checked.paths[node]
                if ref.scope == -2 and ref.type.kind == "bool" and not element:
                    def_node, def_checked = self._definition(ref.names[0])
                    return self._bool(def_node, def_checked, False, positive)
                return {self._field(node, checked, element): positive}
            case Compare():
                return self._compare(node, checked, element, positive)
            case Between(value=v, low=lo, high=hi):
                parts = [
                    self._compare(Compare(0, 0, ">=", v, lo), checked, element, positive),
                    self._compare(Compare(0, 0, "<=", v, hi), checked, element, positive),
                ]
                return _and(parts) if positive else self._or_same_field(parts, element)
            case Call(name="exists", args=(Path() as p,)):
                if checked.paths[p].type.kind in ("object", "list") or checked.paths[p].scope < 0:
                    raise _NotExpressible
                name = self._field(p, checked, element)
                return {"$ex": {name: 1}} if positive else {"$nex": {name: 1}}
            case Call(name="submitted", args=(Path() as p,)) if not element:
                name = self._field(p, checked, False) + ".present"
                return {name: True} if positive else _or([{"$nex": {name: 1}}, {name: False}])
            case Call(name="any" | "all"):
                if element:
                    raise _NotExpressible
                return self._quantifier(node, checked, positive)
        raise _NotExpressible

    def _bounded_and(self, ops: list[Node], parts: list[Any], checked: Checked, element: bool, positive: bool) -> Any:
        """An $and kept under BRANCHES alternatives by deciding its widest operands natively."""
        while branches(_and(parts)) > BRANCHES:
            widest = max(range(len(parts)), key=lambda i: branches(parts[i]))
            if element or branches(parts[widest]) == 1:
                raise _NotExpressible
            pos, neg = self.native(ops[widest], checked)
            parts[widest] = pos if positive else neg
        return _and(parts)

    def _sub(self, node: Node, checked: Checked, element: bool, positive: bool) -> Any:
        if element:
            return self._bool(node, checked, True, positive)
        try:
            return self._bool(node, checked, False, positive)
        except _NotExpressible:
            pos, neg = self.native(node, checked)
            return pos if positive else neg

    def _or_same_field(self, parts: list[Any], element: bool) -> Any:
        if element and len({repr(list(p.values())[0]) for p in parts if isinstance(p, dict)}) > 1:
            raise _NotExpressible
        return _or(parts)

    def _definition(self, name: str) -> tuple[Node, Checked]:
        d = self.rule.definitions[name]
        return d.node, d.checked

    def _field(self, node: Path, checked: Checked, element: bool) -> str:
        ref = checked.paths[node]
        if ref.scope == -1:
            self.uses.add("__as_of")
            return "__as_of"
        if ref.scope == 0 and ref.type.kind not in ("list", "any"):
            self.uses.add(ref.names[0])
            return ".".join(ref.names)
        if ref.scope == 1 and element:
            return "$i." + ".".join(ref.names)
        raise _NotExpressible

    def _operand(self, node: Node, checked: Checked, element: bool) -> tuple[str, Any]:
        """("path", field name) or ("value", normalised literal)."""
        if isinstance(node, Literal):
            if isinstance(node.value, float):
                raise _NotExpressible
            return "value", _value(node.value)
        if isinstance(node, Path):
            if checked.paths[node].type.kind == "number":
                # durable's JSON reader fails on floats written with an exponent (1e-07: error 204).
                raise _NotExpressible
            return "path", self._field(node, checked, element)
        raise _NotExpressible

    def _compare(self, node: Compare, checked: Checked, element: bool, positive: bool) -> Any:
        op = node.op if positive else _NEGATE.get(node.op, node.op)
        if node.op in ("in", "not_in"):
            return self._membership(node, checked, element, positive)
        (lk, lv), (rk, rv) = self._operand(node.left, checked, element), self._operand(node.right, checked, element)
        if lk == "value" and rk == "value":
            raise _NotExpressible
        if lk == "value":
            (lk, lv), (rk, rv), op = (rk, rv), (lk, lv), _FLIP[op]
        if rk == "value":
            return _compare(op, lv, rv)
        if rv.startswith("$i"):
            if lv.startswith("$i"):
                raise _NotExpressible
            (lv, rv), op = (rv, lv), _FLIP[op]
        # A reference to a missing field matched as true after the first test of an $and: test it
        # exists, outside the list test when inside one (there a plain name is the element's field).
        if element:
            self.hoisted.add(rv)
            return _compare(op, lv, {"$m": rv})
        return _and([{"$ex": {rv: 1}}, _compare(op, lv, {"$m": rv})])

    def _membership(self, node: Compare, checked: Checked, element: bool, positive: bool) -> Any:
        inside = (node.op == "in") == positive
        if isinstance(node.right, ListLit) and all(isinstance(i, Literal) for i in node.right.items):
            kind, name = self._operand(node.left, checked, element)
            if kind != "path":
                raise _NotExpressible
            values = [_value(i.value) for i in node.right.items]  # type: ignore[attr-defined]
            if inside:
                return _or([{name: v} for v in values])  # one field: safe even inside a list test
            return _and([{"$neq": {name: v}} for v in values])
        raise _NotExpressible

    def _quantifier(self, node: Call, checked: Checked, positive: bool) -> Any:
        source = node.args[0]
        cond: Node | None = None
        if isinstance(source, Where):
            cond, source = source.cond, source.source
        ref = checked.paths.get(source) if isinstance(source, Path) else None
        if ref is None or ref.scope != 0 or ref.type.kind != "list" or not ref.type.elem or ref.type.elem.kind != "object":
            raise _NotExpressible
        path = ".".join(ref.names)
        self.uses.add(ref.names[0])
        self.lists.add(path)
        count = "__n_" + path.replace(".", "_")
        self.uses.add(count)
        per = node.args[1] if len(node.args) > 1 else None
        self.hoisted = set()
        test = self._list_test(node.name, path, count, cond, per, checked, positive)
        return _and([{"$ex": {name: 1}} for name in sorted(self.hoisted)] + [test])

    def _list_test(self, name: str, path: str, count: str, cond: Node | None, per: Node | None, checked: Checked, positive: bool) -> Any:
        if name == "any":
            parts = [p for p in (cond, per) if p is not None]
            if not parts:
                return {"$gt": {count: 0}} if positive else {count: 0}
            if positive:
                return {"$iany": {path: _and([self.pos(p, checked, True) for p in parts])}}
            # none matches: empty, or every element surely fails some part
            if len(parts) > 1:
                raise _NotExpressible
            return _or([{count: 0}, {"$iall": {path: self.neg(parts[0], checked, True)}}])
        if cond is not None:
            raise _NotExpressible  # all(filtered, p) needs an $or inside $iall
        assert per is not None, "all() takes two arguments (lang.typecheck), so it has its predicate"
        if positive:
            return _or([{count: 0}, {"$iall": {path: self.pos(per, checked, True)}}])
        return {"$iany": {path: self.neg(per, checked, True)}}


def _compile(book: RuleBook) -> _Compiled:
    natives: list[_Native] = []
    lists: set[str] = set()
    prepared: list[tuple[CompiledRule, list[tuple[str, Any]], set[str]]] = []
    for rule in book.rules:
        uses: set[str] = set()
        t = _Translator(rule, natives, uses, lists)
        when_pos, when_neg = t.both(rule.when.node, rule.when.checked)
        require_pos, require_neg = t.both(rule.require.node, rule.require.checked)
        fail = t.conjoin([(rule.when.node, rule.when.checked, when_pos), (rule.require.node, rule.require.checked, require_neg)])
        parts = [("N", when_neg), ("P", require_pos), ("F", fail)]
        prepared.append((rule, [(k, c) for k, c in parts if c is not FALSE], uses))
    compiled = _Compiled({}, {}, {}, natives, {n.node for n in natives}, {}, lists)
    chunk: dict[str, dict[str, Any]] = {}
    chunk_uses: set[str] = set()
    name = ""
    for rule, parts, uses in prepared:
        if not chunk or len(chunk) + len(parts) > CHUNK:
            name = f"approval_rules_{next(_names)}"
            chunk = compiled.rules[name] = {}
            chunk_uses = compiled.uses[name] = set()
        chunk_uses |= uses
        compiled.chunk_of[id(rule)] = name
        keys = []
        for kind, cond in parts:
            key = f"r{len(compiled.keys)}{kind}"
            keys.append(key)
            test = GUARD if cond is TRUE else {"$and": [GUARD, cond]}  # every rule starts positive
            chunk[key] = {"all": [{"m": test}], "run": _record(key)}
        compiled.keys[id(rule)] = tuple(keys)  # type: ignore[assignment]
    for rules in compiled.rules.values():
        # A sentinel that always fires: delete_state on a session where no action ran segfaults.
        rules["__end__"] = {"pri": 1_000_000, "all": [{"m": GUARD}], "run": _record("__end__")}
    return compiled


def _record(key: str) -> Callable[[Any], None]:
    def action(c: Any) -> None:
        c.s[key] = 1  # in the session state, returned by assert_fact: safe across threads

    return action
