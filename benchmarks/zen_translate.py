"""Translate the bundled rules into GoRules zen expressions, for the speed comparison only.

Each rule's ``when`` and ``require`` become one zen expression each, worth 1 (true), 0 (false)
or 0.5 (unknown: a missing fact), so that Kleene logic is arithmetic: ``and`` is ``min``,
``or`` is ``max``, ``not`` is ``1 - x``. Each operand is then written once; spelling Kleene
logic out in ternaries tests every operand two or three times and, nested, grows the
expressions exponentially (inlined, 1.8 MB for these rules instead of 160 kB, and a third
slower). Dates are day
numbers (as the durable backend asserts them). What zen's language cannot say here is left
out and counted: date arithmetic in months or years, whole-month differences, comparisons of
list elements with the file's other facts inside nested lists.

The same expressions serve every zen configuration (``configurations``, what ``compare.py``
times): one compiled expression listing them all, or a collect decision table, each over all
the rules or over only those the engine's routing index leaves for the file's kind; the table
one file at a time or with ``evaluate_batch``. Each returns rule outcomes only. Through
``ZenEngine.evaluate`` the table is about four times faster than the same table as a
``ZenDecision`` from ``create_decision`` (measured here; that row is kept to show it), and
a table beats an expression node holding the same expressions.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable
from typing import Any

from approval_rules.engine.book import CompiledRule, RuleBook
from approval_rules.engine.evaluator import combine
from approval_rules.lang.expr import (
    Arith,
    Between,
    BoolOp,
    Call,
    Compare,
    ListLit,
    Literal,
    Node,
    Not,
    Path,
    Period,
    Where,
)
from approval_rules.lang.typecheck import Checked
from approval_rules.lang.values import UNKNOWN


class Unsupported(Exception):
    pass


def truth(value: float) -> Any:
    """A zen truth value in the engine's terms."""
    return True if value == 1 else False if value == 0 else UNKNOWN


def _lit(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, _dt.date):
        return str(v.toordinal())
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _guard(guards: list[str], test: str) -> str:
    """``test`` as a truth value, unknown when a value it reads is missing."""
    if not guards:
        return f"(({test}) ? 1 : 0)"
    null = " or ".join(f"{g} == null" for g in dict.fromkeys(guards))
    return f"(({null}) ? 0.5 : (({test}) ? 1 : 0))"


class _Zen:
    def __init__(self, rule: CompiledRule):
        self.defs = rule.definitions
        self.fields: set[str] = set()  # the top-level facts read

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
                    self.fields.add(ref.names[0])
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
                value = self.aggregate(node, checked)
                return value, [value]
        raise Unsupported

    def aggregate(self, node: Call, checked: Checked) -> str:
        """A count or sum over a list, null when an element's condition or value is unknown."""
        source, cond = node.args[0], None
        if isinstance(source, Where):
            source, cond = source.source, source.cond
        items, _ = self.value(source, checked, False)
        c = self.cond(cond, checked, True) if cond is not None else "1"
        known = f"{items} == null or some({items}, {c} == 0.5)"
        if node.name == "count":
            return f"(({known}) ? null : count({items}, {c} == 1))"
        f, _ = self.value(node.args[1], checked, True)
        return f"(({known} or some({items}, {c} == 1 and {f} == null)) ? null : sum(map(filter({items}, {c} == 1), {f})))"

    def cond(self, node: Node, checked: Checked, element: bool = False) -> str:
        """A zen expression worth 1, 0 or 0.5 (unknown)."""
        match node:
            case Literal(value=bool() as v):
                return "1" if v else "0"
            case Not(operand=o):
                return f"(1 - {self.cond(o, checked, element)})"
            case BoolOp(op=op, operands=ops):
                return f"{'min' if op == 'and' else 'max'}([{', '.join(self.cond(o, checked, element) for o in ops)}])"
            case Path():
                ref = checked.paths[node]
                if ref.scope == -2:
                    d = self.defs[ref.names[0]]
                    return self.cond(d.node, d.checked, False)
                v, g = self.value(node, checked, element)
                return _guard(g, f"{v} == true")
            case Compare(op=op, left=left, right=right):
                a, ga = self.value(left, checked, element)
                if isinstance(right, ListLit):
                    items = ", ".join(_lit(i.value) for i in right.items if isinstance(i, Literal))
                    return _guard(ga, f"{a} {'in' if op == 'in' else 'not in'} [{items}]")
                b, gb = self.value(right, checked, element)
                zop = {"in": "in", "not_in": "not in"}.get(op, op)
                return _guard(ga + gb, f"{a} {zop} {b}")
            case Between(value=v, low=lo, high=hi):
                x, gx = self.value(v, checked, element)
                a, ga = self.value(lo, checked, element)
                b, gb = self.value(hi, checked, element)
                return _guard(gx + ga + gb, f"{x} >= {a} and {x} <= {b}")
            case Call(name="exists", args=(Path() as p,)):
                v, _ = self.value(p, checked, element)
                return _guard([], f"{v} != null")
            case Call(name="submitted", args=(Path() as p,)):
                v, _ = self.value(p, checked, element)
                return _guard([], f"{v} != null and {v}.present == true")
            case Call(name="any" | "all"):
                if element:
                    raise Unsupported
                return self.quantifier(node, checked)
        raise Unsupported

    def quantifier(self, node: Call, checked: Checked) -> str:
        """any: the greatest truth value over the elements; all: 1 minus the greatest violation."""
        source, cond = node.args[0], None
        if isinstance(source, Where):
            source, cond = source.source, source.cond
        items, _ = self.value(source, checked, False)
        parts = [self.cond(p, checked, True) for p in ([cond] if cond is not None else []) + list(node.args[1:])]
        if node.name == "any":
            e = f"min([{', '.join(parts)}])" if parts else "1"
            return f"({items} == null ? 0.5 : (len({items}) == 0 ? 0 : max(map({items}, {e}))))"
        f, p = (parts[0], parts[1]) if len(parts) == 2 else ("1", parts[0])
        violation = f"min([{f}, 1 - {p}])"
        return f"({items} == null ? 0.5 : (len({items}) == 0 ? 1 : 1 - max(map({items}, {violation}))))"


def translate(book: RuleBook) -> tuple[list[tuple[CompiledRule, str, str]], dict[int, set[str]]]:
    """Each expressible rule with its ``when`` and ``require`` expressions; per rule (by id) the
    top-level facts it reads."""
    out, fields = [], {}
    for rule in book.rules:
        z = _Zen(rule)
        try:
            out.append((rule, z.cond(rule.when.node, rule.when.checked), z.cond(rule.require.node, rule.require.checked)))
        except Unsupported:
            continue
        fields[id(rule)] = z.fields
    return out, fields


def project(doc: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """Only the facts some expression reads: the binding converts every fact it is given."""
    return {k: doc[k] for k in names if k in doc} | {"__as_of": doc["__as_of"]}


def expression(rules: list[tuple[CompiledRule, str, str]]) -> str:
    """One zen expression listing every rule's two truth values, for ``zen.compile_expression``."""
    return "[" + ", ".join(f"{w}, {q}" for _, w, q in rules) + "]"


def table(rules: list[tuple[CompiledRule, str, str]]) -> dict:
    """A decision (JDM) whose one node is a collect decision table: a row per rule, always
    matching, whose output cells compute the rule's two truth values (``w``, ``q``).

    Rows per outcome with the truth values as input cells would evaluate them two or three
    times; a first-hit table would decide one rule, not all of them.
    """
    rows = [{"_id": f"r{k}", "w": w, "q": q} for k, (_, w, q) in enumerate(rules)]
    return {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "input", "position": {"x": 0, "y": 0}},
            {"id": "rules", "type": "decisionTableNode", "name": "rules", "position": {"x": 1, "y": 0},
             "content": {"hitPolicy": "collect", "inputs": [], "rules": rows,
                         "outputs": [{"id": "w", "field": "w", "name": "w"}, {"id": "q", "field": "q", "name": "q"}]}},
            {"id": "out", "type": "outputNode", "name": "output", "position": {"x": 2, "y": 0}},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "rules", "type": "edge"},
            {"id": "e2", "sourceId": "rules", "targetId": "out", "type": "edge"},
        ],
    }


BATCH = 100  # files per evaluate_batch call


def configurations(book: RuleBook, files: list, days: list, docs: list[dict]) -> list[tuple[str, Callable, str, set[int]]]:
    """(name, run, scope, ids of the rules it decides) for each zen configuration worth timing.

    ``run`` takes file indices and returns, per file, id(rule) -> violation for the rules in
    force that it decides. Everything that can be prepared once is prepared here, before timing:
    expressions compiled, decisions loaded, each file's context built.
    """
    import zen

    rules, fields = translate(book)
    expressed = set(fields)
    contexts = [project(doc, set().union(*fields.values())) for doc in docs]
    in_force = {d: {id(r) for r in book.active(d)} for d in set(days)}
    # Per file, the expressed rules in force that day with their positions in zen's answer.
    slots = [[(k, rule) for k, (rule, _, _) in enumerate(rules) if id(rule) in in_force[d]] for d in days]

    def from_list(values: list, mine: list) -> dict[int, Any]:
        return {id(rule): combine(truth(values[2 * k]), truth(values[2 * k + 1])) for k, rule in mine}

    def from_rows(rows: list, mine: list) -> dict[int, Any]:
        return {id(rule): combine(truth(rows[k]["w"]), truth(rows[k]["q"])) for k, rule in mine}

    # The routed variants: per routing-index plan, an expression and a table over its rules only.
    by_rule = {id(r): (r, w, q) for r, w, q in rules}
    plans: dict[int, tuple] = {}  # id(candidates) -> (candidates, key, expression, slots, never, facts read)
    routed = []
    for i in range(len(files)):
        cand = book.candidates(days[i], files[i])
        if id(cand) not in plans:
            mine = [by_rule[id(r)] for r in cand.rules if id(r) in by_rule]
            ruled_out = set(cand.never_ids)
            never = {id(r): None for r in book.active(days[i]) if r.id in ruled_out and id(r) in expressed}
            plans[id(cand)] = (cand, f"plan{len(plans)}", mine, zen.compile_expression(expression(mine)),
                               list(enumerate(r for r, _, _ in mine)), never, set().union(*(fields[id(r)] for r, _, _ in mine)))
        _, key, _, compiled, mine, never, names = plans[id(cand)]
        routed.append((key, compiled, mine, never, project(docs[i], names)))

    whole = zen.compile_expression(expression(rules))
    decisions = {"rules": table(rules)} | {key: table(mine) for _, key, mine, *_ in plans.values()}
    engine = zen.ZenEngine({"loader": {"type": "static", "content": decisions}})
    loaded = zen.ZenEngine().create_decision(json.dumps(decisions["rules"]))

    def run_expression(idx: list[int]) -> list:
        return [from_list(whole.evaluate(contexts[i]), slots[i]) for i in idx]

    def run_expression_routed(idx: list[int]) -> list:
        out = []
        for i in idx:
            _, compiled, mine, never, ctx = routed[i]
            out.append(from_list(compiled.evaluate(ctx), mine) | never)
        return out

    def run_table(idx: list[int]) -> list:
        return [from_rows(engine.evaluate("rules", contexts[i])["result"], slots[i]) for i in idx]

    def run_table_routed(idx: list[int]) -> list:
        out = []
        for i in idx:
            key, _, mine, never, ctx = routed[i]
            out.append(from_rows(engine.evaluate(key, ctx)["result"], mine) | never)
        return out

    def run_batch(idx: list[int]) -> list:
        out = []
        for start in range(0, len(idx), BATCH):
            chunk = idx[start:start + BATCH]
            answers = engine.evaluate_batch([{"key": "rules", "context": contexts[i]} for i in chunk])
            out += [from_rows(a["data"]["result"], slots[i]) for a, i in zip(answers, chunk)]
        return out

    def run_loaded(idx: list[int]) -> list:
        return [from_rows(loaded.evaluate(contexts[i])["result"], slots[i]) for i in idx]

    n = f"rule outcomes only; {len(rules)}/{len(book.rules)} rules"
    return [
        ("zen-expression", run_expression, f"{n}; one compile_expression, evaluated per file", expressed),
        ("zen-expression-routed", run_expression_routed, f"{n}; one compile_expression per routing-index plan", expressed),
        ("zen-table", run_table, f"{n}; collect decision table, ZenEngine.evaluate per file", expressed),
        ("zen-table-batch", run_batch, f"{n}; the same table, ZenEngine.evaluate_batch of {BATCH} files", expressed),
        ("zen-table-routed", run_table_routed, f"{n}; one collect table per routing-index plan, ZenEngine.evaluate", expressed),
        ("zen-table-decision", run_loaded, f"{n}; the same table as one ZenDecision (create_decision), evaluate per file", expressed),
    ]
