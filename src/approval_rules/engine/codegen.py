"""Generate a Python function from a checked condition AST: the fast path of the native engine.

Why code and not closures: one function per condition, with the three-valued logic written
out inline, avoids a Python call per AST node; it is about twice as fast as the closures
(``closures.py``, which remain the traced evaluator behind explain and coverage).

What the generated source may contain, and why that is safe: nothing a rule file says ever
becomes code. Literal values (strings, numbers, dates, lists) are placed in a constants tuple
and referenced as ``K[i]``; attribute names come from the project-file model (resolved by the
type checker, so only fields the model defines); operators, functions and control flow come
from this module. ``compile`` sees only that text, and ``SAFE_SOURCE`` checks it.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from ..lang.expr import Arith, Between, BoolOp, Call, Compare, ListLit, Literal, Node, Not, Path, Period, Where, canonical
from ..lang.typecheck import Checked
from ..lang.values import UNKNOWN, days_between, finite, months_between, shift, years_between

Fn = Callable[[tuple[Any, ...]], Any]
Recorder = Callable[[tuple[Any, ...], dict[str, Any]], Any]  # also adds each fact it consults to the dict
_CMP = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
# Everything generated code may consist of: identifiers, K[n] constants, operators, punctuation, layout.
SAFE_SOURCE = re.compile(r"^[A-Za-z0-9_\s\[\]\(\)\.,:=<>!+\-*]*$")


class _Gen:
    def __init__(self, checked: Checked, definitions: Mapping[str, Callable[..., Any]]):  # Fn or Recorder
        self.checked = checked
        self.definitions = definitions
        self.consts: list[Any] = []
        self.defs: list[Callable[..., Any]] = []
        self.lines: list[str] = []
        self.n = 0

    def var(self) -> str:
        self.n += 1
        return f"v{self.n}"

    def const(self, value: Any) -> str:
        self.consts.append(value)
        return f"K[{len(self.consts) - 1}]"

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)


class _Expr:
    """Conditions as one expression with Kleene logic inline, facts read where they are used.

    ``a and b`` becomes ``(False if (x := A) is False or (y := B) is False else (U if x is U or
    y is U else True))``: short-circuit on the deciding value, each operand evaluated once; a
    fact ``a.b`` reads ``(U if (t := r.a) is None or (t := t.b) is None else t)``. List
    quantifiers, which need loops, are computed by statements before the expression.
    """

    def __init__(self, gen: _Gen, record: bool = False, memo: bool = False, known: dict[tuple[str, ...], Any] | None = None):
        self.g = gen
        # Facts known when the code is generated (a plan's routing facts): folded into constants.
        self.known: dict[tuple[str, ...], Any] = known or {}
        # Memo (plans): each definition computed at most once per file, on first use.
        self.memo: dict[int, str] | None = {} if memo else None
        # Recording: every fact consulted (short-circuit respected) goes into ``out``, label → value.
        self.record = record
        self.labels: list[str] = []  # per list scope: the variable holding the element's label

    def tmp(self) -> str:
        return self.g.var()

    def inline_fact(self, base: str, attrs: tuple[str, ...], ref: Any = None) -> str:
        """An expression reading ``base.attrs`` where it is needed: U if it or a parent is absent."""
        t = self.tmp()
        steps = [f"({t} := {base}.{attrs[0]}) is None"] + [f"({t} := {t}.{a}) is None" for a in attrs[1:]]
        if ref is not None and ref.type.kind == "number":
            steps.append(f"not FINITE({t})")
        read = f"(U if {' or '.join(steps)} else {t})"
        if not self.record or ref is None:
            return read
        names = ".".join(ref.names)
        label = self.g.const(names) if ref.scope == 0 else f"{self.labels[ref.scope - 1]} + {self.g.const('.' + names)}"
        keep = "REC_LIST" if ref.type.kind == "list" else "REC"  # a list is recorded only when missing
        return f"{keep}(out, {label}, {read})"

    def expr(self, node: Node, ind: int, scopes: list[str]) -> str:
        g = self.g
        match node:
            case Literal(value=v):
                return g.const(v)
            case ListLit(items=items) if all(isinstance(i, Literal) for i in items):
                return g.const([i.value for i in items])  # type: ignore[attr-defined]
            case Path():
                ref = g.checked.paths[node]
                if ref.scope == -1:
                    return "ctx[1]"
                if ref.scope == -2:
                    fn = g.definitions[ref.attrs[0]]
                    if self.memo is not None:
                        if id(fn) not in self.memo:
                            g.defs.append(fn)
                            self.memo[id(fn)] = f"m{len(g.defs) - 1}"
                        m = self.memo[id(fn)]
                        return f"({m} if {m} is not MISS else ({m} := D[{m[1:]}](ctx)))"
                    g.defs.append(fn)
                    if self.record:  # the definition's own facts, then its value under its name
                        return f"REC(out, {g.const(ref.names[0])}, D[{len(g.defs) - 1}](ctx, out))"
                    return f"D[{len(g.defs) - 1}](ctx)"
                if ref.scope == 0 and ref.attrs in self.known:
                    return g.const(self.known[ref.attrs])
                return self.inline_fact("r" if ref.scope == 0 else scopes[ref.scope - 1], ref.attrs, ref)
            case Not(operand=o):
                inner = self.expr(o, ind, scopes)
                if inner in ("True", "False"):
                    return "False" if inner == "True" else "True"
                t = self.tmp()
                return f"(U if ({t} := {inner}) is U else not {t})"
            case BoolOp(op=op, operands=ops):
                decide, other = ("True", "False") if op == "or" else ("False", "True")
                parts = []
                for o in ops:
                    e = self.expr(o, ind, scopes)
                    if e == decide:
                        return decide  # decided when the code is generated
                    if e != other:
                        parts.append(e)
                if not parts:
                    return other
                if len(parts) == 1:
                    return parts[0]
                names = [self.tmp() for _ in parts]
                tests = " or ".join(f"({n} := {e}) is {decide}" for n, e in zip(names, parts))
                unknown = " or ".join(f"{n} is U" for n in names)
                return f"({decide} if {tests} else (U if {unknown} else {other}))"
            case ListLit(items=items):
                return self.strict([self.expr(i, ind, scopes) for i in items], lambda *xs: "[" + ", ".join(xs) + "]")
            case Compare(op=op, left=left, right=right):
                if op in ("in", "not_in") and isinstance(right, ListLit) and all(isinstance(i, Literal) for i in right.items):
                    rhs = g.const(frozenset(i.value for i in right.items))  # type: ignore[attr-defined]
                else:
                    rhs = self.expr(right, ind, scopes)
                sym = "in" if op == "in" else "not in" if op == "not_in" else _CMP[op]
                lhs = self.expr(left, ind, scopes)
                folded = self.fold(op, lhs, rhs)
                if folded is not None:
                    return folded
                return self.strict([lhs, rhs], lambda a, b: f"{a} {sym} {b}")
            case Between(value=v, low=lo, high=hi):
                parts = [self.expr(x, ind, scopes) for x in (v, lo, hi)]
                return self.strict(parts, lambda x, a, b: f"{a} <= {x} <= {b}")
            case Arith(op=op, left=left, right=Period(amount=n, unit=unit)):
                amount, u = g.const(n if op == "+" else -n), g.const(unit)
                return self.strict([self.expr(left, ind, scopes)], lambda a: f"shift({a}, {amount}, {u})")
            case Arith(op=op, left=left, right=right):
                return self.strict([self.expr(left, ind, scopes), self.expr(right, ind, scopes)], lambda a, b: f"{a} {op} {b}")
            case Call(name="exists", args=(arg,)):
                return f"({self.expr(arg, ind, scopes)} is not U)"
            case Call(name="submitted", args=(arg,)):
                t = self.tmp()
                return f"(({t} := {self.expr(arg, ind, scopes)}) is not U and {t}.present is True)"
            case Call(name="days_between" | "months_between" | "years_between" as fn, args=(a, b)):
                return self.strict([self.expr(a, ind, scopes), self.expr(b, ind, scopes)], lambda x, y: f"{fn}({x}, {y})")
            case Call():
                return self.quantifier(node, ind, scopes)
        raise AssertionError(node)

    def fold(self, op: str, lhs: str, rhs: str) -> str | None:
        """A comparison of two constants, decided now ("True"/"False"), else None."""
        values = []
        for side in (lhs, rhs):
            m = re.fullmatch(r"K\[(\d+)\]", side)
            if m is None:
                return None
            values.append(self.g.consts[int(m.group(1))])
        a, b = values
        result = {"==": a == b, "!=": a != b, "in": a in b if op == "in" else None, "not_in": a not in b if op == "not_in" else None}.get(op)
        if result is None:
            return None
        return "True" if result else "False"

    def strict(self, parts: list[str], test: Callable[..., str]) -> str:
        """An operator needing every operand: unknown if one is (each operand evaluated once)."""
        names, tests = [], []
        for p in parts:
            if p.startswith("K[") or p == "ctx[1]":
                names.append(p)  # a constant or the decision date: never unknown
            elif p.isidentifier():
                names.append(p)
                tests.append(f"{p} is U")
            else:
                n = self.tmp()
                names.append(n)
                tests.append(f"({n} := {p}) is U")
        unknown = " or ".join(tests)
        return f"(U if {unknown} else ({test(*names)}))" if unknown else f"({test(*names)})"

    def quantifier(self, node: Call, ind: int, scopes: list[str]) -> str:
        g = self.g
        source = node.args[0]
        cond: Node | None = None
        if isinstance(source, Where):
            cond, source = source.cond, source.source
        per = node.args[1] if len(node.args) > 1 else None
        items = self.expr(source, ind, scopes)
        t, u, e = self.tmp(), self.tmp(), f"e{len(scopes) + 1}"
        start = {"any": "False", "all": "True", "count": "0", "sum": "0"}[node.name]
        g.emit(ind, f"{t} = {start}")
        g.emit(ind, f"{u} = False")
        g.emit(ind, f"if {items} is U: {t} = U")
        g.emit(ind, "else:")
        body, inner = ind + 2, scopes + [e]
        if self.record:
            ref = g.checked.paths.get(source) if isinstance(source, Path) else None
            names = ".".join(ref.names) if ref is not None else "list"
            base = g.const(names) if ref is None or ref.scope <= 0 else f"{self.labels[ref.scope - 1]} + {g.const('.' + names)}"
            i, label = self.tmp(), self.tmp()
            g.emit(ind + 1, f"for {i}, {e} in enumerate({items}):")
            g.emit(body, f"{label} = {base} + {g.const('[')} + str({i}) + {g.const(']')}")
            self.labels.append(label)
        else:
            g.emit(ind + 1, f"for {e} in {items}:")
        c = self.expr(cond, body, inner) if cond is not None else "True"
        c_var = self.tmp()
        g.emit(body, f"{c_var} = {c}")
        if node.name == "count":
            g.emit(body, f"if {c_var} is U: {u} = True")
            g.emit(body, f"elif {c_var}: {t} += 1")
        else:
            g.emit(body, f"if {c_var} is False: continue")
            p = self.tmp()
            g.emit(body, f"{p} = {self.expr(per, body, inner) if per is not None else 'True'}")
            if node.name == "sum":  # a known 0 adds nothing, whether the element is in the list or not
                g.emit(body, f"if {p} is U or ({c_var} is U and {p} != 0): {u} = True")
                g.emit(body, f"elif {c_var} is True: {t} += {p}")
            elif node.name == "any":  # an element in the list and satisfying the condition
                g.emit(body, f"if {c_var} is True and {p} is True:")
                g.emit(body + 1, f"{t} = True")
                g.emit(body + 1, "break")
                g.emit(body, f"if {p} is not False: {u} = True")
            else:  # all: an element in the list and failing the condition breaks it
                g.emit(body, f"if {c_var} is True and {p} is False:")
                g.emit(body + 1, f"{t} = False")
                g.emit(body + 1, "break")
                g.emit(body, f"if {p} is not True: {u} = True")
        if self.record:
            self.labels.pop()
        done = {"any": "True", "all": "False"}.get(node.name)
        guard = f"{t} is not U and {t} is not {done}" if done else f"{t} is not U"
        g.emit(ind + 1, f"if {u} and {guard}: {t} = U")
        return t


_MISS = object()  # a definition not yet computed in this plan evaluation


def _rec(out: dict[str, Any], label: str, value: Any) -> Any:
    if label not in out:
        out[label] = None if value is UNKNOWN else value
    return value


def _rec_list(out: dict[str, Any], label: str, value: Any) -> Any:
    if value is UNKNOWN and label not in out:
        out[label] = None
    return value


def _load(source: str, kind: str, g: _Gen, **extra: Any) -> Callable[..., Any]:
    """The one function defined by generated ``source``, after checking it holds no rule text.

    Its globals: the generator's constants (K) and definitions (D), UNKNOWN, the date and number helpers
    and ``extra``.
    """
    if not SAFE_SOURCE.match(source):
        raise AssertionError("generated code must contain no rule text")
    namespace: dict[str, Any] = {
        "K": tuple(g.consts), "D": tuple(g.defs), "U": UNKNOWN, "shift": shift,
        "days_between": days_between, "months_between": months_between, "years_between": years_between,
        "FINITE": finite, **extra,
    }
    exec(compile(source, f"<approval-rules {kind}>", "exec"), namespace)  # noqa: S102 - see module docstring
    fn: Callable[..., Any] = namespace[source[4 : source.index("(")]]
    return fn


def compile_recorder(node: Node, checked: Checked, definitions: dict[str, Recorder] | None = None) -> Recorder:
    """The condition evaluated as ``compile_fast`` does, adding every fact it consults to ``out``.

    ``definitions`` are the definitions' own recorders. Short-circuit is respected, so a
    finding lists the facts that decided it, not every fact its condition mentions.
    """
    x = _Expr(_Gen(checked, definitions or {}), record=True)
    result = x.expr(node, 1, [])
    body = "\n".join(x.g.lines)
    source = f"def condition(ctx, out):\n    r = ctx[0]\n{body}\n    return {result}\n"
    return _load(source, "recorder", x.g, REC=_rec, REC_LIST=_rec_list, enumerate=enumerate, str=str)


def compile_fast(node: Node, checked: Checked, definitions: dict[str, Fn] | None = None) -> Fn:
    """The condition as one generated Python function of the context tuple (project, as_of, …)."""
    x = _Expr(_Gen(checked, definitions or {}))
    result = x.expr(node, 1, [])
    body = "\n".join(x.g.lines)
    source = f"def condition(ctx):\n    r = ctx[0]\n{body}\n    return {result}\n"
    fn = _load(source, "condition", x.g)
    fn.source = source  # type: ignore[attr-defined]
    return fn


def compile_plan(rules: list[tuple[Any, bool | None]], known: dict[tuple[str, ...], Any] | None = None) -> Callable[[tuple[Any, ...]], list[Any]]:
    """One generated function deciding a whole plan of rules (see ``compiler.Candidates``).

    Each entry is (compiled rule, True if it surely applies else None); the function returns
    each rule's violation in order (None: not applicable; see ``engine.combine``). Inlining
    every condition into one function saves two calls and a loop step per rule on the hot path;
    the plan's routing facts (``known``) are folded into constants, and each definition and each
    distinct applicability condition is computed at most once per file.
    """
    g = _Gen(None, {})  # type: ignore[arg-type]
    x = _Expr(g, memo=True, known=known)
    whens: dict[tuple[Any, ...], str] = {}
    results: list[str] = []
    for rule, applies in rules:
        g.definitions = {n: d.fast for n, d in rule.definitions.items()}
        v = g.var()
        results.append(v)
        ind, unknown_when = 1, ""
        if applies is None:
            g.checked = rule.when.checked
            key = (id(rule.definitions), canonical(rule.when.node))
            if key not in whens:
                whens[key] = g.var()
                g.emit(1, f"{whens[key]} = {x.expr(rule.when.node, 1, [])}")
            w = whens[key]
            g.emit(1, f"if {w} is False: {v} = None")
            g.emit(1, "else:")
            ind, unknown_when = 2, f"{w} is U or "
        g.checked = rule.require.checked
        q = g.var()
        g.emit(ind, f"{q} = {x.expr(rule.require.node, ind, [])}")
        g.emit(ind, f"{v} = False if {q} is True else (U if {unknown_when}{q} is U else True)")
    body = "\n".join(g.lines) or "    pass"
    memo = "".join(f"    {m} = MISS\n" for m in (x.memo or {}).values())
    source = f"def plan(ctx):\n    r = ctx[0]\n{memo}{body}\n    return [{', '.join(results)}]\n"
    return _load(source, "plan", g, MISS=_MISS)
