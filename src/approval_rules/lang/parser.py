"""Condition expressions: text → tokens → AST with character offsets. Never ``eval``.

The language reads like a sentence::

    enterprise.industry == "coal_mine" and not exists(licence.expiry_date)
    application.submitted_date <= licence.expiry_date - 3 months
    any(accidents where deaths > 0 and date between licence.issue_date and licence.expiry_date)
    all(personnel where role == "special_operator", certificate_valid)

Precedence, lowest first: ``or``; ``and``; ``not``; comparisons (``== != < <= > >= in``,
``not in``, ``between … and …``); ``+ -``; primaries (literals, fact paths, calls, ``( )``, ``[ ]``).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from . import limits
from .expr import Arith, Between, BoolOp, Call, Compare, ListLit, Literal, Node, Not, OffsetError as OffsetError, Path, Period, Where


# --- tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # date number string name op eof
    text: str
    start: int
    end: int
    value: Any = None


KEYWORDS = {"and", "or", "not", "in", "where", "between", "true", "false", "is", "present", "missing"}
PERIOD_UNITS = {"day": "days", "days": "days", "month": "months", "months": "months", "year": "years", "years": "years"}

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\d-]))
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,|\.|\+|-)
    """,
    re.VERBOSE,
)

# Characters a Chinese input method produces where the language wants ASCII.
FULL_WIDTH = {
    "＝": "=", "（": "(", "）": ")", "：": ":", "，": ",", "“": '"', "”": '"', "‘": "'", "’": "'",
    "！": "!", "＜": "<", "＞": ">", "【": "[", "】": "]", "［": "[", "］": "]", "．": ".", "＋": "+",
    "－": "-", "　": " ", "。": ".", "、": ",",
}
_MISUSED = {"=": "==", "&&": "and", "||": "or", "!": "not", "&": "and", "|": "or"}


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch in FULL_WIDTH:
            raise OffsetError(
                "E307", f"表达式中有全角或形近字符「{ch}」", pos, f"改成半角字符「{FULL_WIDTH[ch]}」"
            )
        m = _TOKEN.match(text, pos)
        if not m:
            two = text[pos : pos + 2]
            bad = two if two in _MISUSED else ch
            if bad in _MISUSED:
                raise OffsetError("E301", f"不支持的符号「{bad}」", pos, f"是否指「{_MISUSED[bad]}」？")
            if ord(ch) > 127:
                raise OffsetError(
                    "E301", f"表达式中不能直接使用中文或特殊字符「{ch}」", pos, "文字值要用英文双引号括起来，字段名用英文"
                )
            raise OffsetError("E301", f"无法识别的字符「{ch}」", pos)
        kind = m.lastgroup or ""
        if kind != "ws":
            tok_text = m.group()
            value: Any = None
            if kind == "date":
                try:
                    value = _dt.date.fromisoformat(tok_text)
                except ValueError:
                    raise OffsetError("E205", f"日期「{tok_text}」无效", pos, length=len(tok_text)) from None
                limits.date(value, tok_text, pos)
            elif kind == "number":
                limits.number(tok_text, pos)
                value = float(tok_text) if "." in tok_text else int(tok_text)
            elif kind == "string":
                value = _unquote(tok_text)
            tokens.append(Token(kind, tok_text, pos, m.end(), value))
            limits.tokens(len(tokens), pos)
        pos = m.end()
    tokens.append(Token("eof", "", len(text), len(text)))
    return tokens


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


# --- parser ----------------------------------------------------------------------------------


@dataclass
class _Parser:
    tokens: list[Token]
    i: int = 0
    depth: int = field(default=0)

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def at(self, *texts: str) -> bool:
        t = self.tok
        return t.kind in ("op", "name") and t.text in texts

    def take(self) -> Token:
        t = self.tok
        self.i += 1
        return t

    def expect(self, text: str, what: str) -> Token:
        if not self.at(text):
            raise self.unexpected(f"缺少{what}「{text}」")
        return self.take()

    def unexpected(self, message: str | None = None) -> OffsetError:
        t = self.tok
        if t.kind == "eof":
            return OffsetError("E301", message or "表达式不完整", t.start, "检查括号是否成对、运算符后是否缺少值")
        return OffsetError("E301", message or f"此处不应出现「{t.text}」", t.start, length=max(1, t.end - t.start))

    def parse(self) -> Node:
        if self.tok.kind == "eof":
            raise OffsetError("E301", "条件为空", 0, "写出一个条件，例如 enterprise.industry == \"coal_mine\"")
        node = self.or_expr()
        if self.tok.kind != "eof":
            raise self.unexpected()
        return node

    def _nested(self) -> None:
        # Only bounds the recursion of this parser; ``limits.tree`` measures the finished tree.
        self.depth += 1
        if self.depth > limits.MAX_DEPTH:
            raise limits.too_deep(self.tok.start)

    def or_expr(self) -> Node:
        return self._bool("or", self.and_expr)

    def and_expr(self) -> Node:
        return self._bool("and", self.not_expr)

    def _bool(self, op: str, operand: Callable[[], Node]) -> Node:
        first = operand()
        items = [first]
        while self.at(op):
            self.take()
            items.append(operand())
        if len(items) == 1:
            return first
        return BoolOp(first.start, items[-1].end, op, tuple(items))

    def not_expr(self) -> Node:
        if self.at("not"):
            t = self.take()
            self._nested()
            operand = self.not_expr()
            self.depth -= 1
            return Not(t.start, operand.end, operand)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.additive()
        if self.at("==", "!=", "<", "<=", ">", ">="):
            op = self.take().text
            right = self.additive()
            return Compare(left.start, right.end, op, left, right)
        if self.at("in"):
            self.take()
            right = self.additive()
            return Compare(left.start, right.end, "in", left, right)
        if self.at("not") and self.tokens[self.i + 1].text == "in":
            self.i += 2
            right = self.additive()
            return Compare(left.start, right.end, "not_in", left, right)
        if self.at("between"):
            self.take()
            low = self.additive()
            self.expect("and", "区间连接词")
            high = self.additive()
            return Between(left.start, high.end, left, low, high)
        if self.at("is"):
            self.take()
            negate = False
            if self.at("not"):
                self.take()
                negate = True
            if not self.at("present", "missing"):
                raise self.unexpected("「is」后应为 present（已填报）或 missing（未填报）")
            word = self.take()
            if word.text == "missing":
                negate = not negate
            call: Node = Call(left.start, word.end, "exists", (left,))
            return Not(left.start, word.end, call) if negate else call
        return left

    def additive(self) -> Node:
        left = self.primary()
        while self.at("+", "-"):
            op = self.take().text
            right = self.primary()
            left = Arith(left.start, right.end, op, left, right)
        return left

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "number":
            self.take()
            unit = self.tok
            if unit.kind == "name" and unit.text in PERIOD_UNITS:
                self.take()
                if not isinstance(t.value, int):
                    raise OffsetError("E301", "期间的数量应为整数", t.start)
                return Period(t.start, unit.end, t.value, PERIOD_UNITS[unit.text])
            return Literal(t.start, t.end, t.value)
        if t.kind in ("date", "string"):
            self.take()
            return Literal(t.start, t.end, t.value)
        if t.kind == "op" and t.text == "-" and self.tokens[self.i + 1].kind == "number":
            self.take()
            n = self.take()
            return Literal(t.start, n.end, -n.value)
        if self.at("("):
            self.take()
            self._nested()
            inner = self.or_expr()
            self.depth -= 1
            self.expect(")", "右括号")
            return inner
        if self.at("["):
            return self.list_literal()
        if t.kind == "name":
            if t.text in ("true", "false"):
                self.take()
                return Literal(t.start, t.end, t.text == "true")
            if t.text in KEYWORDS:
                raise self.unexpected(f"此处不应出现关键字「{t.text}」")
            return self.name_or_call()
        raise self.unexpected()

    def list_literal(self) -> Node:
        open_ = self.take()
        self._nested()
        items: list[Node] = []
        while not self.at("]"):
            items.append(self.additive())
            if not self.at(","):
                break
            self.take()
        self.depth -= 1
        close = self.expect("]", "右方括号")
        return ListLit(open_.start, close.end, tuple(items))

    def name_or_call(self) -> Node:
        first = self.take()
        if self.at("("):
            return self.call(first)
        names = [first.text]
        end = first.end
        while self.at("."):
            self.take()
            nt = self.tok
            if nt.kind != "name":
                raise self.unexpected("「.」后应为字段名")
            self.take()
            names.append(nt.text)
            end = nt.end
        return Path(first.start, end, tuple(names))

    def call(self, name: Token) -> Node:
        self.take()  # (
        self._nested()
        args: list[Node] = []
        while not self.at(")"):
            arg = self.or_expr()
            if self.at("where"):
                self.take()
                cond = self.or_expr()
                arg = Where(arg.start, cond.end, arg, cond)
            args.append(arg)
            if not self.at(","):
                break
            self.take()
        self.depth -= 1
        close = self.expect(")", "右括号")
        return Call(name.start, close.end, name.text, tuple(args))


def parse(text: str) -> Node:
    """Parse an expression; raise ``OffsetError`` with the offset of the first problem.

    The result is within ``limits``: its depth, size, numbers, dates and date shifts.
    """
    if not isinstance(text, str):
        raise OffsetError("E301", "条件应写成一段文字", 0)
    node = _Parser(tokenize(text)).parse()
    limits.tree(node)
    return node
