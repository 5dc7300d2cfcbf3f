"""Limits on condition expressions, checked while tokenizing and right after parsing.

Why limits at all: every later stage (type checker, interpreter, closures, generated code and
Python's own ``compile``) recurses over the tree, and Python refuses deep nesting with errors
of its own (RecursionError, "too many nested parentheses", the 4,300-digit limit on ``int``,
``OverflowError`` from ``date``). Checking here, with a position, turns each of those crashes
into a diagnostic at ``file:line:col`` before any of them is reached. The limits are far above
what a real rule needs (the bundled rules nest at most 9 levels and shift dates by at most
180 days) and are documented in docs/rule-language.md, 表达式限制与三值逻辑.
"""

from __future__ import annotations

import datetime as _dt

from .expr import Arith, Call, Node, OffsetError, Period, children

MAX_DEPTH = 32  # levels of the tree; the generated code nests about three brackets per level
MAX_LOOPS = 10  # list functions inside one another: each is a loop, and Python allows 20 nested loops
MAX_TOKENS = 20_000  # values, names, operators and brackets: an upper bound on the tree's nodes
MAX_DIGITS = 15  # digits before the decimal point: every such integer is exact as a float too
MAX_NUMBER_TEXT = 32  # characters of one number, decimals included
FIRST_DATE = _dt.date(1900, 1, 1)
LAST_DATE = _dt.date(2100, 12, 31)
MAX_YEARS = 200  # total shift of one date: from any day of 1900–2100 it stays within the calendar
LOOPS = ("any", "all", "count", "sum")
_MAX_SPAN = {"years": MAX_YEARS, "months": 12 * MAX_YEARS, "days": 365 * MAX_YEARS}


def number(text: str, offset: int) -> None:
    whole = text.split(".")[0]
    if len(whole) > MAX_DIGITS or len(text) > MAX_NUMBER_TEXT:
        raise OffsetError(
            "E312", f"数字「{text[:20]}…」位数过多（整数部分最多 {MAX_DIGITS} 位）", offset,
            "核对数字是否写错", length=len(text),
        )


def date(value: _dt.date, text: str, offset: int) -> None:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise OffsetError(
            "E313", f"日期「{text}」超出允许的范围（{FIRST_DATE} 至 {LAST_DATE}）", offset,
            "核对年份是否写错", length=len(text),
        )


def tokens(count: int, offset: int) -> None:
    if count > MAX_TOKENS:
        raise OffsetError(
            "E311", f"表达式过长（最多 {MAX_TOKENS} 个值、字段、运算符和括号）", offset,
            "拆成几条规则，或把一部分写成 definitions 中的定义",
        )


def too_deep(offset: int) -> OffsetError:
    return OffsetError(
        "E310", f"表达式嵌套过深（最多 {MAX_DEPTH} 层；连续的 + 或 - 每个算一层）", offset,
        "把内层的部分写成 definitions 中的定义，或去掉多余的括号和 not",
    )


def tree(node: Node, depths: dict[str, int] | None = None) -> int:
    """The depth of ``node`` (a definition it names counts with its own depth); raise past the limits.

    Walks with an explicit stack: this is the check that must not itself recurse too deep.
    """
    depths = depths or {}
    deepest = 0
    stack: list[tuple[Node, int, int]] = [(node, 1, 0)]
    while stack:
        n, level, loops = stack.pop()
        names = getattr(n, "names", None)
        if names is not None and len(names) == 1:
            level += depths.get(names[0], 0)
        if level > MAX_DEPTH:
            raise too_deep(n.start)
        if isinstance(n, Call) and n.name in LOOPS:
            loops += 1
            if loops > MAX_LOOPS:
                raise OffsetError(
                    "E310", f"列表函数（{'、'.join(LOOPS)}）层层嵌套过深（最多 {MAX_LOOPS} 层）", n.start,
                    "把内层的部分写成 definitions 中的定义",
                )
        deepest = max(deepest, level)
        if isinstance(n, Arith) and isinstance(n.right, Period):
            _shift_total(n)
        stack += [(c, level + 1, loops) for c in children(n)]
    return deepest


def _shift_total(node: Arith) -> None:
    """Periods added along one chain (d + 100 years - 150 years) must stay within MAX_YEARS in all."""
    years = 0.0
    n: Node = node
    while isinstance(n, Arith) and isinstance(n.right, Period):
        years += abs(n.right.amount) / _MAX_SPAN[n.right.unit] * MAX_YEARS
        n = n.left
    if years > MAX_YEARS:
        raise OffsetError(
            "E314", f"日期加减的期间过长（合计最多 {MAX_YEARS} 年）", node.right.start,
            "核对期间的数量和单位（days、months、years）", length=max(1, node.right.end - node.right.start),
        )
