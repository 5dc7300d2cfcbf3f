"""Static analysis of conditions: can a condition ever be true, ever be false, can two hold together.

A condition over facts compared with literals only distinguishes values relative to those
literals, so evaluating it on a few candidate values per fact (each literal, one below, one
above, every enum value, both truth values, and "not filled in" where presence is tested)
decides these questions exactly. Conditions using lists, arithmetic, date functions or
definitions are outside that fragment and are not analysed (``None``).

The work is counted before it starts: candidate combinations times the nodes evaluated for
each. A question costing more than its ``Budget`` allows is not answered (``Truncated``): a
3,000-term ``or`` would otherwise take minutes of interpretation.
"""

from __future__ import annotations

import datetime as _dt
import itertools
from typing import Any

from .expr import Arith, Call, Compare, ListLit, Literal, Node, Path, Where, walk
from .interpreter import interpret
from .typecheck import Checked, PathRef
from .values import UNKNOWN

_MAX_COMBINATIONS = 20_000
# One work unit is one node evaluated for one combination, a few microseconds of interpretation.
CHECK_UNITS = 1_000_000  # one question about one or two conditions
RUN_UNITS = 10_000_000  # every question of one lint run


class Truncated(Exception):
    """The question would cost more work units than are left: it is left unanswered."""

    def __init__(self, units: int):
        super().__init__(units)
        self.units = units


class Budget:
    """Work units left for analysis, shared by the questions of one run."""

    def __init__(self, units: int = RUN_UNITS):
        self.left = units

    def spend(self, units: int) -> None:
        if units > min(self.left, CHECK_UNITS):
            raise Truncated(units)
        self.left -= units


class _Facts:
    """A stand-in project file: any attribute not set reads as absent."""

    def __init__(self, **values: Any):
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:
        return None


def _atoms(nodes: list[tuple[Node, Checked]]) -> dict[tuple[Any, ...], tuple[PathRef, set[Any]]] | None:
    """The facts the conditions read, each with its candidate values; None if not analysable."""
    atoms: dict[tuple[Any, ...], tuple[PathRef, set[Any]]] = {}
    presence: set[tuple[Any, ...]] = set()
    for node, checked in nodes:
        for n in walk(node):
            if isinstance(n, (Arith, Where)) or (isinstance(n, Call) and n.name not in ("exists", "submitted")):
                return None
            if isinstance(n, Call):
                presence |= {checked.paths[a].attrs for a in n.args if isinstance(a, Path) and a in checked.paths}
            if isinstance(n, Path):
                ref = checked.paths.get(n)
                if ref is None or ref.scope != 0 or ref.type.kind in ("list", "any"):
                    if ref is not None and ref.scope == -1:
                        atoms.setdefault(("as_of",), (ref, set()))
                        continue
                    if ref is None or ref.type.kind not in ("object",):
                        return None
                atoms.setdefault(ref.attrs, (ref, set()))
        for n in walk(node):
            if isinstance(n, Compare):
                _literals(n, checked, atoms)
    for key, (ref, values) in atoms.items():
        t = ref.type
        if t.kind == "bool":
            values |= {True, False}
        elif t.kind == "enum":
            values |= set(t.values)
        elif t.kind == "object":
            values.add("\u0000present")
        elif not values:
            values.add({"date": _dt.date(2020, 1, 1), "int": 0, "number": 0, "string": ""}.get(t.kind, 0))
        if key in presence or t.kind == "object":
            values.add(None)
    return atoms


_POOL: dict[str, list[Any]] = {
    "date": [_dt.date(2020, 1, d) for d in (1, 2, 3)], "int": [0, 1, 2], "number": [0, 1, 2], "string": ["a", "b"],
}


def _literals(n: Compare, checked: Checked, atoms: dict[tuple[Any, ...], tuple[PathRef, set[Any]]]) -> None:
    sides = [(n.left, n.right), (n.right, n.left)]
    refs = [ref for x in (n.left, n.right) if isinstance(x, Path) and (ref := checked.paths.get(x)) is not None]
    if len(refs) == 2:
        # Two facts compared with each other: give both the same few ordered values.
        for ref in refs:
            key = ref.attrs if ref.scope == 0 else ("as_of",)
            atoms.setdefault(key, (ref, set()))[1].update(_POOL.get(ref.type.kind, []))
    for side, other in sides:
        ref = checked.paths.get(side) if isinstance(side, Path) else None
        if ref is None:
            continue
        key = ref.attrs if ref.scope == 0 else ("as_of",)
        values = atoms.setdefault(key, (ref, set()))[1]
        lits = other.items if isinstance(other, ListLit) else (other,)
        for lit in lits:
            if not isinstance(lit, Literal):
                continue
            v = lit.value
            values.add(v)
            if isinstance(v, _dt.date):
                values |= {v - _dt.timedelta(days=1), v + _dt.timedelta(days=1)}
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                values |= {v - 1, v + 1}
            elif isinstance(v, str):
                values.add(v + "\u0000other")


def _project(assignment: dict[tuple[Any, ...], Any]) -> tuple[_Facts, Any]:
    root = _Facts()
    as_of = _dt.date(2020, 1, 1)
    for attrs, value in sorted(assignment.items(), key=lambda kv: len(kv[0])):
        if attrs == ("as_of",):
            as_of = value
            continue
        if value == "\u0000present":
            value = _Facts(present=True)
        obj = root
        for a in attrs[:-1]:
            nxt = obj.__dict__.get(a)
            if nxt is None:
                nxt = _Facts()
                obj.__dict__[a] = nxt
            obj = nxt
        obj.__dict__[attrs[-1]] = value
    return root, as_of


def outcomes(conditions: list[tuple[Node, Checked]], budget: Budget | None = None) -> set[tuple[Any, ...]] | None:
    """Every combination of truth values the conditions can take together (unknown excluded).

    Raises ``Truncated`` when the work exceeds ``budget`` (a fresh ``Budget`` if none is given).
    """
    atoms = _atoms(conditions)
    if atoms is None:
        return None
    keys = list(atoms)
    domains = [sorted(atoms[k][1], key=repr) for k in keys]
    total = 1
    for d in domains:
        total *= len(d)
    if total > _MAX_COMBINATIONS:
        return None
    nodes = sum(1 for node, _ in conditions for _ in walk(node))
    (budget or Budget()).spend(total * nodes)
    seen: set[tuple[Any, ...]] = set()
    for combo in itertools.product(*domains):
        root, as_of = _project(dict(zip(keys, combo)))
        result = tuple(interpret(node, checked, root, as_of) for node, checked in conditions)
        if UNKNOWN not in result:
            seen.add(result)
    return seen


def constant(node: Node, checked: Checked, budget: Budget | None = None) -> bool | None:
    """True or False if the condition can only ever take that value; None otherwise or if unknown."""
    seen = outcomes([(node, checked)], budget)
    if not seen:
        return None
    values = {r[0] for r in seen}
    return values.pop() if len(values) == 1 else None


def jointly_satisfiable(a: tuple[Node, Checked], b: tuple[Node, Checked], budget: Budget | None = None) -> bool | None:
    """Whether two conditions can both be true for one project file (None if not analysable)."""
    seen = outcomes([a, b], budget)
    if seen is None:
        return None
    return (True, True) in seen
