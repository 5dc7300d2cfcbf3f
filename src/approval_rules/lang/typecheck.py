"""Type-check an expression AST against the fact catalogue and resolve its fact paths.

Every problem in an expression is collected (not just the first), each at its offset in
the expression text. The result, a ``Checked`` side table, is what both evaluators use.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from ..model import facts
from ..core.diagnostics import suggest
from .expr import (
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
from .parser import OffsetError
from ..model.facts import ANY, BOOL, DATE, INT, NUMBER, PERIOD, STRING, Type

BUILTINS = {"as_of": (DATE, "决定日期")}

# name -> (min args, max args, Chinese description)
FUNCTIONS: dict[str, tuple[int, int, str]] = {
    "exists": (1, 1, "exists(事实)：该事实已填报"),
    "submitted": (1, 1, "submitted(materials.材料代码)：该材料已提交"),
    "any": (1, 2, "any(列表 where 条件)：至少有一项满足条件"),
    "all": (2, 2, "all(列表, 条件)：每一项都满足条件"),
    "count": (1, 1, "count(列表 where 条件)：满足条件的项数"),
    "sum": (2, 2, "sum(列表, 数值字段)：合计"),
    "days_between": (2, 2, "days_between(日期1, 日期2)：相差的天数"),
    "months_between": (2, 2, "months_between(日期1, 日期2)：相差的整月数"),
    "years_between": (2, 2, "years_between(日期1, 日期2)：相差的整年数"),
}


@dataclass(frozen=True)
class PathRef:
    """A resolved fact path: which scope it starts from and the attributes to follow."""

    scope: int  # -2 a definition, -1 a builtin, 0 the project file, n the n-th enclosing list element
    attrs: tuple[str, ...]
    names: tuple[str, ...]
    type: Type
    title: str = ""  # Chinese titles along the path, joined with ·


@dataclass
class Checked:
    """Types of every node, resolved paths, and the problems found."""

    types: dict[Node, Type] = field(default_factory=dict)
    paths: dict[Node, PathRef] = field(default_factory=dict)
    errors: list[OffsetError] = field(default_factory=list)


def _literal_type(value: object) -> Type:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return NUMBER
    if isinstance(value, _dt.date):
        return DATE
    return STRING


class Checker:
    def __init__(self, definitions: dict[str, Type] | None = None):
        self.scopes: list[Type] = [facts.ROOT]
        self.definitions = definitions or {}
        self.out = Checked()

    def error(self, node: Node, code: str, message: str, hint: str | None = None) -> Type:
        self.out.errors.append(OffsetError(code, message, node.start, hint, max(1, node.end - node.start)))
        return ANY

    def condition(self, node: Node) -> Checked:
        t = self.check(node)
        if t.kind not in ("bool", "any"):
            self.error(node, "E308", f"条件的结果应为是/否，这里是{t.describe()}", "写成比较，例如 字段 == 值，或 exists(字段)")
        return self.out

    def check(self, node: Node) -> Type:
        t = self._check(node)
        self.out.types[node] = t
        return t

    def _check(self, node: Node) -> Type:
        match node:
            case Literal(value=v):
                return _literal_type(v)
            case Period():
                return PERIOD
            case ListLit(items=items):
                types = [self.check(i) for i in items]
                elem = types[0] if types else ANY
                for item, t in zip(items, types):
                    if not _compatible(elem, t):
                        self.error(item, "E303", f"列表中的值类型不一致：{elem.describe()}与{t.describe()}")
                return Type("list", elem=elem)
            case Path():
                return self.path(node)
            case Not(operand=o):
                self.boolean(o, "not")
                return BOOL
            case BoolOp(op=op, operands=ops):
                for o in ops:
                    self.boolean(o, op)
                return BOOL
            case Compare():
                return self.compare(node)
            case Between(value=v, low=lo, high=hi):
                tv, tl, th = self.check(v), self.check(lo), self.check(hi)
                for t, n in ((tv, v), (tl, lo), (th, hi)):
                    if t.kind not in ("date", "int", "number", "any"):
                        self.error(n, "E303", f"between 只能用于日期或数字，这里是{t.describe()}")
                if not (_compatible(tv, tl) and _compatible(tv, th)):
                    self.error(node, "E303", "between 两端的类型应与被比较的值相同")
                return BOOL
            case Arith():
                return self.arith(node)
            case Where():
                return self.where(node)
            case Call():
                return self.call(node)
        return self.error(node, "E301", "无法识别的表达式")

    def boolean(self, node: Node, op: str) -> None:
        t = self.check(node)
        if t.kind not in ("bool", "any"):
            self.error(node, "E308", f"「{op}」的两边应是条件（是/否），这里是{t.describe()}")

    def path(self, node: Path) -> Type:
        first = node.names[0]
        if first in BUILTINS and len(node.names) == 1:
            t, title = BUILTINS[first]
            self.out.paths[node] = PathRef(-1, (first,), node.names, t, title)
            return t
        if first in self.definitions and len(node.names) == 1:
            t = self.definitions[first]
            self.out.paths[node] = PathRef(-2, (first,), node.names, t)
            return t
        for depth in range(len(self.scopes) - 1, -1, -1):
            scope = self.scopes[depth]
            if scope.model and first in facts.fields_of(scope.model):
                return self._resolve(node, depth, scope)
        return self._unknown(node, node.names, self.scopes[-1])

    def _resolve(self, node: Path, depth: int, scope: Type) -> Type:
        attrs: list[str] = []
        titles: list[str] = []
        current = scope
        for i, name in enumerate(node.names):
            if current.kind == "list":
                prefix = ".".join(node.names[:i])
                return self.error(
                    node, "E303", f"「{prefix}」是列表，不能直接取其中的字段",
                    f"用 any({prefix} where 条件)、all({prefix}, 条件) 或 count({prefix} where 条件)",
                )
            if current.kind != "object" or current.model is None:
                return self._unknown(node, node.names[: i + 1], current)
            f = facts.fields_of(current.model).get(name)
            if f is None:
                return self._unknown(node, node.names[: i + 1], current)
            attrs.append(f.attr)
            titles.append(f.title)
            current = f.type
        self.out.paths[node] = PathRef(depth, tuple(attrs), node.names, current, "·".join(titles))
        return current

    def _unknown(self, node: Path, names: tuple[str, ...], scope: Type) -> Type:
        dotted = ".".join(names)
        parent = names[:-1]
        candidates: list[str] = []
        owner = facts.lookup(parent, self.scopes[0]) if parent else None
        if owner and owner[-1].type.model:
            candidates = [".".join(parent + (n,)) for n in facts.fields_of(owner[-1].type.model)]
        else:
            candidates = list(facts.all_paths()) + list(BUILTINS) + list(self.definitions)
            for s in self.scopes[1:]:
                if s.model:
                    candidates += list(facts.fields_of(s.model))
        hint = suggest(dotted, candidates)
        return self.error(node, "E302", f"未知的事实「{dotted}」", hint)

    def compare(self, node: Compare) -> Type:
        lt, rt = self.check(node.left), self.check(node.right)
        op = node.op
        if op in ("in", "not_in"):
            if rt.kind not in ("list", "any"):
                return self.error(node.right, "E303", f"「in」的右边应是列表，这里是{rt.describe()}")
            elem = rt.elem or ANY
            self._enum_literals(lt, node.right)
            self._enum_literals(elem, node.left)
            if not _compatible(lt, elem):
                self.error(node, "E303", f"不能在{elem.describe()}列表中查找{lt.describe()}")
            return BOOL
        self._enum_literals(lt, node.right)
        self._enum_literals(rt, node.left)
        if not _compatible(lt, rt):
            return self.error(node, "E303", f"不能比较{lt.describe()}和{rt.describe()}", _compare_hint(lt, rt))
        if op in ("<", "<=", ">", ">=") and lt.kind not in ("int", "number", "date", "any"):
            return self.error(node, "E303", f"「{op}」只能比较日期或数字，这里是{lt.describe()}")
        if lt.kind in ("list", "object") or rt.kind in ("list", "object"):
            return self.error(node, "E303", f"不能直接比较{lt.describe() if lt.kind in ('list', 'object') else rt.describe()}")
        return BOOL

    def _enum_literals(self, t: Type, other: Node) -> None:
        if t.kind == "enum" and isinstance(other, Literal) and isinstance(other.value, str):
            self._enum_value(other, t)
        if t.kind == "enum" and isinstance(other, ListLit):
            for item in other.items:
                if isinstance(item, Literal) and isinstance(item.value, str):
                    self._enum_value(item, t)

    def _enum_value(self, lit: Literal, t: Type) -> None:
        if lit.value not in t.values:
            values = "、".join(t.values)
            hint = suggest(lit.value, t.values) or f"可选值：{values}"
            self.error(lit, "E304", f"「{lit.value}」不是允许的取值", hint)

    def arith(self, node: Arith) -> Type:
        lt, rt = self.check(node.left), self.check(node.right)
        if lt.kind == "date" and rt.kind == "period":
            return DATE
        if lt.is_numeric() and rt.is_numeric():
            return INT if lt.kind == rt.kind == "int" else NUMBER
        if lt.kind == "date" and rt.kind == "date":
            return self.error(node, "E303", "两个日期不能直接相减", "用 days_between(日期1, 日期2) 或 months_between(…)")
        if "any" in (lt.kind, rt.kind):
            return ANY
        return self.error(node, "E303", f"不能对{lt.describe()}和{rt.describe()}做「{node.op}」运算", "日期可以加减期间，例如 licence.expiry_date - 3 months")

    def where(self, node: Where) -> Type:
        st = self.check(node.source)
        if st.kind != "list" or not st.elem or st.elem.kind != "object":
            if st.kind != "any":
                self.error(node.source, "E303", f"where 前应是对象列表，这里是{st.describe()}")
            self.check(node.cond)
            return ANY
        self.scopes.append(st.elem)
        self.boolean(node.cond, "where")
        self.scopes.pop()
        return st

    def call(self, node: Call) -> Type:
        spec = FUNCTIONS.get(node.name)
        if spec is None:
            return self.error(node, "E305", f"未知的函数「{node.name}」", suggest(node.name, FUNCTIONS) or "可用函数：" + "、".join(FUNCTIONS))
        lo, hi, desc = spec
        if not lo <= len(node.args) <= hi:
            for a in node.args:
                self.check(a)
            return self.error(node, "E306", f"函数「{node.name}」的参数个数不对", desc)
        result: Type = getattr(self, f"_fn_{node.name}")(node)
        return result

    def _fn_exists(self, node: Call) -> Type:
        arg = node.args[0]
        if not isinstance(arg, Path):
            self.check(arg)
            return self.error(arg, "E303", "exists 的参数应是事实路径")
        self.check(arg)
        return BOOL

    def _fn_submitted(self, node: Call) -> Type:
        arg = node.args[0]
        t = self.check(arg)
        if not (isinstance(arg, Path) and arg.names[0] == "materials" and len(arg.names) == 2) and t.kind != "any":
            return self.error(arg, "E303", "submitted 的参数应是材料，例如 materials.business_license")
        return BOOL

    def _list_arg(self, node: Call) -> Type:
        t = self.check(node.args[0])
        if t.kind not in ("list", "any"):
            self.error(node.args[0], "E303", f"「{node.name}」的第一个参数应是列表，这里是{t.describe()}")
            return ANY
        return t

    def _per_element(self, node: Call, lt: Type, want: str) -> Type:
        arg = node.args[1]
        if lt.kind == "list" and lt.elem and lt.elem.kind == "object":
            self.scopes.append(lt.elem)
            t = self.check(arg)
            self.scopes.pop()
        else:
            t = self.check(arg)
        if want == "bool" and t.kind not in ("bool", "any"):
            self.error(arg, "E308", f"「{node.name}」的条件应是是/否，这里是{t.describe()}")
        if want == "number" and not t.is_numeric() and t.kind != "any":
            self.error(arg, "E303", f"「sum」只能合计数字，这里是{t.describe()}")
        return t

    def _fn_any(self, node: Call) -> Type:
        lt = self._list_arg(node)
        if len(node.args) == 2:
            self._per_element(node, lt, "bool")
        return BOOL

    def _fn_all(self, node: Call) -> Type:
        self._per_element(node, self._list_arg(node), "bool")
        return BOOL

    def _fn_count(self, node: Call) -> Type:
        self._list_arg(node)
        return INT

    def _fn_sum(self, node: Call) -> Type:
        t = self._per_element(node, self._list_arg(node), "number")
        return INT if t.kind == "int" else NUMBER

    def _dates(self, node: Call) -> Type:
        for a in node.args:
            t = self.check(a)
            if t.kind not in ("date", "any"):
                self.error(a, "E303", f"「{node.name}」的参数应是日期，这里是{t.describe()}")
        return INT

    _fn_days_between = _fn_months_between = _fn_years_between = _dates


def _compatible(a: Type, b: Type) -> bool:
    if "any" in (a.kind, b.kind):
        return True
    if a.is_numeric() and b.is_numeric():
        return True
    if {a.kind, b.kind} <= {"enum", "string"}:
        return not (a.kind == b.kind == "enum" and a.labels and b.labels and a.labels.name != b.labels.name and a.labels.name and b.labels.name)
    return a.kind == b.kind


def _compare_hint(a: Type, b: Type) -> str | None:
    kinds = {a.kind, b.kind}
    if kinds == {"date", "string"}:
        return "日期直接写成 2021-09-01，不加引号"
    if kinds == {"bool", "string"}:
        return "是/否写成 true 或 false，不加引号"
    if "number" in kinds or "int" in kinds:
        return "数字不加引号"
    return None


def check_condition(node: Node, definitions: dict[str, Type] | None = None) -> Checked:
    """Type-check a condition (``when`` or ``require``)."""
    return Checker(definitions).condition(node)


def check_value(node: Node, definitions: dict[str, Type] | None = None) -> Checked:
    """Type-check an expression whose value is used, such as a definition or a placeholder."""
    checker = Checker(definitions)
    checker.check(node)
    return checker.out
