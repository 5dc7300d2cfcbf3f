"""Conditions as Chinese prose, for explanations and the rule catalogue.

``licence.status == "valid"`` reads 「许可证·状态」为「有效」; paths become their Chinese titles,
enum values their labels, dates 2021年9月1日, so a legal reviewer can read a rule without
reading the expression language.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..model import facts
from .expr import Arith, Between, BoolOp, Call, Compare, ListLit, Literal, Node, Not, Path, Period, Where
from .typecheck import Checked

_UNIT = {"days": "日", "months": "个月", "years": "年"}
_CMP_DATE = {"<": "早于", "<=": "不晚于", ">": "晚于", ">=": "不早于"}
_CMP_NUM = {"<": "小于", "<=": "不超过", ">": "大于", ">=": "不少于"}


def date_zh(d: _dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class Prose:
    def __init__(self, checked: Checked, titles: dict[str, str] | None = None):
        self.checked = checked
        self.titles = titles or {}  # definition name -> title

    def __call__(self, node: Node) -> str:
        return self.cond(node)

    def cond(self, node: Node, nested: bool = False) -> str:
        """A node in a condition position: a yes/no fact alone reads 「…」为是."""
        t = self.checked.types.get(node)
        if isinstance(node, Path) and t is not None and t.kind == "bool":
            return f"{self.path(node)}为是"
        return self.text(node, nested)

    def text(self, node: Node, nested: bool = False) -> str:
        match node:
            case Literal(value=v):
                return self.literal(v, None)
            case Period(amount=n, unit=u):
                return f"{n}{_UNIT[u]}"
            case ListLit(items=items):
                return "、".join(self.text(i) for i in items)
            case Path():
                return self.path(node)
            case Not(operand=Call(name="exists", args=(arg,))):
                return f"未填报{self.path(arg) if isinstance(arg, Path) else self.text(arg)}"
            case Not(operand=Path() as p) if self.checked.types.get(p, facts.ANY).kind == "bool":
                return f"{self.path(p)}不为是"
            case Not(operand=o):
                return f"并非{self.wrap(o)}"
            case BoolOp(op=op, operands=ops):
                joined = ("，并且" if op == "and" else "，或者").join(self.cond(o, nested=True) for o in ops)
                return f"（{joined}）" if nested else joined
            case Compare():
                return self.compare(node)
            case Between(value=v, low=lo, high=hi):
                return f"{self.text(v)}在{self.text(lo)}至{self.text(hi)}之间"
            case Arith(op=op, left=left, right=Period(amount=n, unit=u)):
                return f"{self.text(left)}{'后' if op == '+' else '前'}{n}{_UNIT[u]}"
            case Arith(op=op, left=left, right=right):
                return f"{self.text(left)}{'加' if op == '+' else '减'}{self.text(right)}"
            case Call():
                return self.call(node)
            case Where(source=s, cond=c):
                return f"{self.text(s)}中（{self.cond(c)}）的各项"
        return "（无法表述的条件）"

    def wrap(self, node: Node) -> str:
        inner = self.cond(node)
        return inner if isinstance(node, (Path, Call, Compare)) else f"（{inner}）"

    def path(self, node: Path) -> str:
        ref = self.checked.paths.get(node)
        if ref is not None and ref.scope == -2:
            return f"「{self.titles.get(ref.names[0], ref.names[0])}」"
        if ref is not None and ref.title:
            return f"「{ref.title}」"
        return f"「{facts.title_of(node.dotted)}」"

    def literal(self, value: Any, t: facts.Type | None) -> str:
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, _dt.date):
            return date_zh(value)
        if isinstance(value, str):
            label = facts.label_of(t, value) if t is not None else None
            return f"「{label or value}」"
        return str(value)

    def operand(self, node: Node, other: Node) -> str:
        if isinstance(node, Literal):
            t = self.checked.types.get(other)
            return self.literal(node.value, t.elem if t is not None and t.kind == "list" else t)
        if isinstance(node, ListLit):
            t = self.checked.types.get(other)
            return "、".join(self.literal(i.value, t) if isinstance(i, Literal) else self.text(i) for i in node.items)
        return self.text(node)

    def compare(self, node: Compare) -> str:
        left = self.operand(node.left, node.right)
        right = self.operand(node.right, node.left)
        t = self.checked.types.get(node.left)
        if node.op in ("in", "not_in"):
            if isinstance(node.right, ListLit):
                return f"{left}{'为' if node.op == 'in' else '不是'}{right}{'之一' if len(node.right.items) > 1 else ''}"
            return f"{right}{'包含' if node.op == 'in' else '不包含'}{left}"
        if node.op in ("==", "!="):
            if isinstance(node.right, Literal) and isinstance(node.right.value, bool):
                yes = node.right.value == (node.op == "==")
                return f"{left}为{'是' if yes else '否'}"
            return f"{left}{'为' if node.op == '==' else '不为'}{right}"
        words = _CMP_DATE if t is not None and t.kind == "date" else _CMP_NUM
        return f"{left}{words[node.op]}{right}"

    def call(self, node: Call) -> str:
        args = node.args
        if node.name == "exists":
            return f"已填报{self.text(args[0])}"
        if node.name == "submitted":
            arg = args[0]
            if isinstance(arg, Path) and len(arg.names) == 2:
                return f"已提交「{facts.title_of(arg.dotted)}」".replace("申报材料·", "")
            return f"已提交{self.text(arg)}"
        if node.name in ("days_between", "months_between", "years_between"):
            unit = {"days_between": "天数", "months_between": "整月数", "years_between": "整年数"}[node.name]
            return f"自{self.text(args[0])}至{self.text(args[1])}的{unit}"
        source, cond = (args[0].source, args[0].cond) if isinstance(args[0], Where) else (args[0], None)
        items = self.text(source)
        where = f"（{self.cond(cond)}）" if cond is not None else ""
        chosen = f"{items}中{where}的" if cond is not None else f"{items}中的"
        if node.name == "any":
            if len(args) == 2:
                return f"{items}中至少有一项{where}满足：{self.cond(args[1])}"
            return f"{items}中至少有一项{where}" if cond is not None else f"{items}不为空"
        if node.name == "all":
            return f"{chosen}各项均满足：{self.cond(args[1])}"
        if node.name == "count":
            return f"{chosen}项数"
        return f"{chosen}{self.text(args[1])}之和"


def describe(node: Node, checked: Checked, titles: dict[str, str] | None = None) -> str:
    """One condition as a Chinese sentence."""
    return Prose(checked, titles)(node)
