"""Open-world lists: an aggregate over a list not declared complete is only a lower bound.

A project file's personnel list usually names the people its form asks for, not the whole
roster. Over such an *open* list, ``any`` can only be proved true, ``all`` only false, and
``count(...) >= k`` only true; anything else stays unknown until the file declares the list
complete (its flag, e.g. ``personnel_complete: true``). Rather than teach every evaluator a
new kind of value, the condition is rewritten once, before type checking, with the flag as a
conjunct or disjunct; Kleene logic then gives exactly those results, and an unknown outcome
blames the flag, which the applicant can supply. ``prepare`` in the engine normalises a
``false`` flag to missing, so "declared incomplete" reads as "not declared complete".
"""

from __future__ import annotations

from dataclasses import replace

from .expr import Arith, Between, BoolOp, Call, Compare, ListLit, Node, Not, Path, Where

_AGGREGATES = ("count", "sum")
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def close_open_lists(node: Node, open_lists: dict[str, str]) -> Node:
    """``node`` with every aggregate over an open list made to respect its completeness flag."""
    if not open_lists:
        return node
    return _Rewriter(open_lists).visit(node)


class _Rewriter:
    def __init__(self, open_lists: dict[str, str]):
        self.open = open_lists

    def flag(self, node: Node) -> Path | None:
        """The completeness flag of the open list an aggregate call ranges over, if any."""
        if not isinstance(node, Call) or not node.args:
            return None
        source = node.args[0]
        if isinstance(source, Where):
            source = source.source
        if isinstance(source, Path) and len(source.names) == 1 and source.names[0] in self.open:
            return Path(node.start, node.end, (self.open[source.names[0]],))
        return None

    def visit(self, node: Node) -> Node:
        match node:
            case Call(name="any"):
                flag = self.flag(node)
                return BoolOp(node.start, node.end, "or", (node, Not(node.start, node.end, flag))) if flag else node
            case Call(name="all"):
                flag = self.flag(node)
                return BoolOp(node.start, node.end, "and", (node, flag)) if flag else node
            case Compare(op=op, left=left, right=right) if op in _FLIP:
                if isinstance(left, Call) and left.name in _AGGREGATES and (flag := self.flag(left)):
                    return _bound(node, op, left, right, flag)
                if isinstance(right, Call) and right.name in _AGGREGATES and (flag := self.flag(right)):
                    return _bound(node, _FLIP[op], right, left, flag)
                return node
            case Not(operand=o):
                return replace(node, operand=self.visit(o))
            case BoolOp(operands=ops):
                return replace(node, operands=tuple(self.visit(o) for o in ops))
            case Between() | Arith() | Where() | ListLit() | Call() | Path() | Compare():
                return node
        return node


def _bound(node: Node, op: str, agg: Call, other: Node, flag: Path) -> Node:
    """``agg op other`` where ``agg`` only bounds the true value from below."""
    s, e = node.start, node.end

    def cmp(o: str) -> Compare:
        return Compare(s, e, o, agg, other)

    def unless_complete() -> Not:
        return Not(s, e, flag)

    if op in (">", ">="):  # proved by what is listed; otherwise open
        return BoolOp(s, e, "or", (cmp(op), unless_complete()))
    if op in ("<", "<="):  # more may exist: only a complete list proves it
        return BoolOp(s, e, "and", (cmp(op), flag))
    # equal: false once exceeded; otherwise only a complete list decides
    equal = BoolOp(s, e, "and", (cmp("<="), flag, BoolOp(s, e, "or", (cmp("=="), unless_complete()))))
    return equal if op == "==" else Not(s, e, equal)
