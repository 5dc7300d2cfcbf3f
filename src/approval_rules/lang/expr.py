"""The condition language's AST: nodes with character offsets, their children, a canonical form.

``parser`` turns condition text into these nodes; every later stage (types, evaluators, prose,
analysis, code generation) walks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator


@dataclass
class OffsetError(Exception):
    """A problem at a character offset within the expression text."""

    code: str
    message: str
    offset: int
    hint: str | None = None
    length: int = 1


# --- AST -------------------------------------------------------------------------------------
# Nodes compare by identity (eq=False) so that checkers can key side tables by node.


@dataclass(frozen=True, eq=False)
class Node:
    start: int
    end: int


@dataclass(frozen=True, eq=False)
class Literal(Node):
    value: Any  # bool, int, float, str, datetime.date


@dataclass(frozen=True, eq=False)
class Period(Node):
    amount: int
    unit: str  # days months years


@dataclass(frozen=True, eq=False)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Path(Node):
    names: tuple[str, ...]

    @property
    def dotted(self) -> str:
        return ".".join(self.names)


@dataclass(frozen=True, eq=False)
class Not(Node):
    operand: Node


@dataclass(frozen=True, eq=False)
class BoolOp(Node):
    op: str  # and, or
    operands: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Compare(Node):
    op: str  # == != < <= > >= in not_in
    left: Node
    right: Node


@dataclass(frozen=True, eq=False)
class Between(Node):
    value: Node
    low: Node
    high: Node


@dataclass(frozen=True, eq=False)
class Arith(Node):
    op: str  # + -
    left: Node
    right: Node


@dataclass(frozen=True, eq=False)
class Where(Node):
    """A list filtered by a condition on each element: ``accidents where deaths > 0``."""

    source: Node
    cond: Node


@dataclass(frozen=True, eq=False)
class Call(Node):
    name: str
    args: tuple[Node, ...]


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node, in source order."""
    match node:
        case Not(operand=o):
            return (o,)
        case BoolOp(operands=ops):
            return ops
        case Compare(left=left, right=right) | Arith(left=left, right=right):
            return (left, right)
        case Between(value=v, low=lo, high=hi):
            return (v, lo, hi)
        case Where(source=s, cond=c):
            return (s, c)
        case Call(args=args):
            return args
        case ListLit(items=items):
            return items
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, pre-order."""
    yield node
    for child in children(node):
        yield from walk(child)


def canonical(node: Node) -> tuple[Any, ...]:
    """A form of the AST that ignores layout: equal for conditions that say the same thing.

    Offsets are dropped, the operands of ``and``/``or`` and the items of a literal list are
    sorted, and ``==``/``!=`` put their sides in a fixed order.
    """
    match node:
        case Literal(value=v):
            return ("lit", type(v).__name__, v)
        case Period(amount=n, unit=u):
            return ("period", n, u)
        case ListLit(items=items):
            return ("list", tuple(sorted((canonical(i) for i in items), key=repr)))
        case Path(names=names):
            return ("path", names)
        case Not(operand=o):
            return ("not", canonical(o))
        case BoolOp(op=op, operands=ops):
            return (op, tuple(sorted((canonical(o) for o in ops), key=repr)))
        case Compare(op=op, left=left, right=right):
            sides: tuple[tuple[Any, ...], ...] = (canonical(left), canonical(right))
            if op in ("==", "!="):
                sides = tuple(sorted(sides, key=repr))
            return ("cmp", op, sides)
        case Between(value=v, low=lo, high=hi):
            return ("between", canonical(v), canonical(lo), canonical(hi))
        case Arith(op=op, left=left, right=right):
            return ("arith", op, canonical(left), canonical(right))
        case Where(source=s, cond=c):
            return ("where", canonical(s), canonical(c))
        case Call(name=name, args=args):
            return ("call", name, tuple(canonical(a) for a in args))
    raise AssertionError(node)
