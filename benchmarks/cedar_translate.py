"""Translate the bundled rules into Cedar policies, for the speed comparison only.

Cedar has no "unknown": a missing attribute is an evaluation error, and the policy that hit it
is skipped. So each rule becomes up to three ``forbid`` policies, each of which holds only when
its outcome is certain (the scheme the durable backend uses): not applicable (``when`` surely
false), passed (``require`` surely true and ``when`` not surely false), failed (``when``
surely true and ``require`` surely false); when none holds, the outcome is unknown. "Surely"
is spelt with ``has`` guards on every fact read. One request per file: the decision is Deny
and the diagnostics' reasons name every policy that held, hence every rule's outcome.

Cedar cannot say, and so this leaves out and counts: anything over list elements (any, all,
count, sum: Cedar has no quantifiers), fractional numbers (Cedar integers only; the ``decimal``
extension is not used), ordering of non-numbers.

``configurations`` gives what ``compare.py`` times: every expressible rule's policies with one
``is_authorized`` per file, the same with ``is_authorized_batch``, and only the policies of
the rules the engine's routing index leaves for the file. Each returns rule outcomes only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from approval_rules.engine.book import CompiledRule, RuleBook
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
)
from approval_rules.lang.typecheck import Checked
from approval_rules.lang.values import UNKNOWN

OUTCOMES = {"N": None, "P": False, "F": True}  # policy kind -> the engine's violation value


class Unsupported(Exception):
    pass


def _lit(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if hasattr(v, "toordinal"):
        return str(v.toordinal())
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise Unsupported  # fractions


def _all(parts: list[str]) -> str:
    parts = [p for p in dict.fromkeys(parts) if p != "true"]
    return "(" + " && ".join(parts) + ")" if parts else "true"


def _any(parts: list[str]) -> str:
    parts = [p for p in dict.fromkeys(parts) if p != "false"]
    return "(" + " || ".join(parts) + ")" if parts else "false"


class _Cedar:
    def __init__(self, rule: CompiledRule):
        self.defs = rule.definitions
        self.fields: set[str] = set()

    def value(self, node: Node, checked: Checked) -> tuple[str, list[str], bool]:
        """A Cedar expression, the ``has`` guards under which it is defined, and whether it is a number."""
        match node:
            case Literal(value=v):
                return _lit(v), [], not isinstance(v, str)
            case Path():
                ref = checked.paths[node]
                if ref.scope == -1:
                    return "context.as_of", [], True
                if ref.scope == -2:
                    d = self.defs[ref.names[0]]
                    return self.value(d.node, d.checked)
                if ref.scope != 0 or ref.type.kind in ("number", "list", "object", "any"):
                    raise Unsupported
                self.fields.add(ref.names[0])
                guards, path = [], "context"
                for name in ref.names:
                    guards.append(f"{path} has {name}")
                    path += "." + name
                return path, guards, ref.type.kind in ("int", "date")
            case Arith(op=op, left=left, right=Period(amount=n, unit="days")):
                v, g, _ = self.value(left, checked)
                return f"({v} {op} {n})", g, True
            case Arith(op=op, left=left, right=right) if not isinstance(right, Period):
                a, ga, _ = self.value(left, checked)
                b, gb, _ = self.value(right, checked)
                return f"({a} {op} {b})", ga + gb, True
            case Call(name="days_between", args=(a, b)):
                x, gx, _ = self.value(a, checked)
                y, gy, _ = self.value(b, checked)
                return f"({y} - {x})", gx + gy, True
        raise Unsupported

    def both(self, node: Node, checked: Checked) -> tuple[str, str]:
        """Cedar conditions for "surely true" and "surely false"."""
        match node:
            case Literal(value=bool() as v):
                return ("true", "false") if v else ("false", "true")
            case Not(operand=o):
                pos, neg = self.both(o, checked)
                return neg, pos
            case BoolOp(op=op, operands=ops):
                pairs = [self.both(o, checked) for o in ops]
                pos, neg = [p for p, _ in pairs], [n for _, n in pairs]
                return (_all(pos), _any(neg)) if op == "and" else (_any(pos), _all(neg))
            case Path():
                ref = checked.paths[node]
                if ref.scope == -2:
                    d = self.defs[ref.names[0]]
                    return self.both(d.node, d.checked)
                v, g, _ = self.value(node, checked)
                return _all(g + [f"{v} == true"]), _all(g + [f"{v} == false"])
            case Compare(op=op, left=left, right=right):
                a, ga, num = self.value(left, checked)
                if isinstance(right, ListLit):
                    test = f"[{', '.join(_lit(i.value) for i in right.items if isinstance(i, Literal))}].contains({a})"
                    return self._test(ga, test, op == "not_in")
                b, gb, num_b = self.value(right, checked)
                if op in ("in", "not_in") or (op not in ("==", "!=") and not (num and num_b)):
                    raise Unsupported
                return self._test(ga + gb, f"{a} {op} {b}", False)
            case Between(value=v, low=lo, high=hi):
                x, gx, n1 = self.value(v, checked)
                a, ga, n2 = self.value(lo, checked)
                b, gb, n3 = self.value(hi, checked)
                if not (n1 and n2 and n3):
                    raise Unsupported
                return self._test(gx + ga + gb, f"{x} >= {a} && {x} <= {b}", False)
            case Call(name="exists", args=(Path() as p,)):
                _, g, _ = self.value(p, checked)
                return _all(g), f"!{_all(g)}"
            case Call(name="submitted", args=(Path() as p,)):
                v, g, _ = self.value(p, checked)
                pos = _all(g + [f"{v} has present", f"{v}.present == true"])
                return pos, f"!{pos}"
        raise Unsupported

    @staticmethod
    def _test(guards: list[str], test: str, negate: bool) -> tuple[str, str]:
        pos, neg = _all(guards + [f"({test})"]), _all(guards + [f"!({test})"])
        return (neg, pos) if negate else (pos, neg)


def translate(book: RuleBook) -> tuple[dict[int, list[tuple[str, str]]], dict[int, set[str]]]:
    """Per expressible rule (by id), its policies as (outcome kind, Cedar text), and the
    top-level facts they read."""
    policies: dict[int, list[tuple[str, str]]] = {}
    fields: dict[int, set[str]] = {}
    for rule in book.rules:
        c = _Cedar(rule)
        try:
            when_pos, when_neg = c.both(rule.when.node, rule.when.checked)
            require_pos, require_neg = c.both(rule.require.node, rule.require.checked)
        except Unsupported:
            continue
        fields[id(rule)] = c.fields
        kinds = (("N", when_neg), ("P", _all([f"!{when_neg}", require_pos])), ("F", _all([when_pos, require_neg])))
        policies[id(rule)] = [(k, f"forbid (principal, action, resource) when {{ {cond} }};") for k, cond in kinds if cond != "false"]
    return policies, fields


def policy_set(rules: list[CompiledRule], policies: dict[int, list[tuple[str, str]]]) -> tuple[str, list[tuple[CompiledRule, str]]]:
    """The policy text for ``rules`` (those expressible) and, per policy in order, its rule and kind."""
    text, owners = [], []
    for rule in rules:
        for kind, policy in policies.get(id(rule), []):
            text.append(policy)
            owners.append((rule, kind))
    return "\n".join(text), owners


def context(doc: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    """Only the facts the policies read (the binding converts every fact it is given), without
    fractions (Cedar has none; no policy reads them)."""

    def clean(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items() if not isinstance(x, float)}
        if isinstance(v, list):
            return [clean(x) for x in v if not isinstance(x, float)]
        return v

    return {k: clean(v) for k, v in doc.items() if k in fields and not isinstance(v, float)} | {"as_of": doc["__as_of"]}


def outcomes(reasons: list[str], owners: list[tuple[CompiledRule, str]]) -> dict[int, Any]:
    """id(rule) -> its violation, from the policies (``policy<N>``) that held; unknown if none did.

    A rule's policies exclude one another, so at most one of them holds."""
    out: dict[int, Any] = {id(rule): UNKNOWN for rule, _ in owners}
    for reason in reasons:
        rule, kind = owners[int(reason.removeprefix("policy"))]
        out[id(rule)] = OUTCOMES[kind]
    return out


BATCH = 100  # files per is_authorized_batch call


def configurations(book: RuleBook, files: list, days: list, docs: list[dict]) -> list[tuple[str, Callable, str, set[int]]]:
    """(name, run, scope, ids of the rules it decides) for each Cedar configuration worth timing.

    ``run`` takes file indices and returns, per file, id(rule) -> violation for the rules in
    force that it decides. Everything that can be prepared once is prepared here, before timing:
    policies parsed (``PolicySet``), the empty entity store, each file's request.
    """
    import cedarpy

    policies, fields = translate(book)
    expressed = set(policies)
    text, owners = policy_set(book.rules, policies)
    whole = cedarpy.PolicySet.from_str(text)
    entities = cedarpy.Entities.from_json_str("[]")
    read = set().union(*fields.values())
    in_force = {d: {id(r) for r in book.active(d)} for d in set(days)}

    def request(ctx: dict) -> dict:
        return {"principal": 'User::"reviewer"', "action": 'Action::"approve"', "resource": 'File::"f"', "context": ctx}

    requests = [request(context(doc, read)) for doc in docs]

    def mine(i: int, result: Any) -> dict[int, Any]:
        found = outcomes(result.diagnostics.reasons, owners)
        return {k: v for k, v in found.items() if k in in_force[days[i]]}

    def run_whole(idx: list[int]) -> list:
        return [mine(i, cedarpy.is_authorized(requests[i], whole, entities)) for i in idx]

    def run_batch(idx: list[int]) -> list:
        out = []
        for start in range(0, len(idx), BATCH):
            chunk = idx[start:start + BATCH]
            out += [mine(i, r) for i, r in zip(chunk, cedarpy.is_authorized_batch([requests[i] for i in chunk], whole, entities))]
        return out

    # The routed variant: per routing-index plan, a policy set of that plan's rules only.
    plans: dict[int, tuple] = {}  # id(candidates) -> (candidates, policy set, owners, never, facts read)
    routed = []
    for i in range(len(files)):
        cand = book.candidates(days[i], files[i])
        if id(cand) not in plans:
            part, owned = policy_set(cand.rules, policies)
            ruled_out = set(cand.never_ids)
            never = {id(r): None for r in book.active(days[i]) if r.id in ruled_out and id(r) in expressed}
            names = set().union(*(fields[id(r)] for r in cand.rules if id(r) in fields))
            plans[id(cand)] = (cand, cedarpy.PolicySet.from_str(part), owned, never, names)
        _, ps, owned, never, names = plans[id(cand)]
        routed.append((ps, owned, never, request(context(docs[i], names))))

    def run_routed(idx: list[int]) -> list:
        out = []
        for i in idx:
            ps, owned, never, req = routed[i]
            out.append(outcomes(cedarpy.is_authorized(req, ps, entities).diagnostics.reasons, owned) | never)
        return out

    n = f"{len(policies)}/{len(book.rules)} rules"
    return [
        ("cedar", run_whole, f"rule outcomes only; {n}; one is_authorized per file, PolicySet parsed once", expressed),
        ("cedar-batch", run_batch, f"rule outcomes only; {n}; is_authorized_batch of {BATCH} files", expressed),
        ("cedar-routed", run_routed, f"rule outcomes only; {n}; one PolicySet per routing-index plan", expressed),
    ]
