"""Where something is and what is wrong with it: positions, diagnostics, error codes.

This module is the leaf of the package: it imports nothing from it, so every layer can
report problems the same way (``file:line:col``, a stable code, a Chinese message, a hint).
"""

from __future__ import annotations

import difflib
import errno
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Iterable


@dataclass(frozen=True, order=True)
class SourcePos:
    """A 1-based line and column in a file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ErrorCode:
    code: str
    slug: str
    title: str
    action: str


def _codes(*rows: tuple[str, str, str, str]) -> dict[str, ErrorCode]:
    return {r[0]: ErrorCode(*r) for r in rows}


# The one table of diagnostic codes; docs/rule-language.md lists them and a test keeps both in step.
CODES: dict[str, ErrorCode] = _codes(
    ("E101", "yaml-syntax", "YAML 语法错误", "检查缩进、冒号后的空格、引号是否成对；按提示的行列修改"),
    ("E102", "duplicate-key", "同一层级出现重复的键", "删除或合并重复的键；YAML 中后写的键会悄悄覆盖先写的键"),
    ("E103", "yaml-tag", "使用了不允许的 YAML 标签或结构", "去掉 !! 或 ! 开头的标签，键只能是文字"),
    ("E104", "file-unreadable", "文件无法读取或不是 UTF-8 编码", "确认文件存在，并以 UTF-8 编码保存"),
    ("E105", "file-too-complex", "文件展开后过大（锚点/别名嵌套过深）", "去掉层层引用的锚点（&）和别名（*）"),
    ("E106", "too-deep", "嵌套层次过深", "把层层嵌套的列表或键值对改平；层次上限见 docs/rule-language.md「输入限制」"),
    ("E107", "bad-character", "文字中有无效的字符（孤立的 UTF-16 代理项）", "删除该字符，或写成完整的字符（代理项转义须成对出现）"),
    ("E201", "missing-key", "缺少必填项", "按提示补上该项"),
    ("E202", "unknown-key", "未知的键（可能是拼写错误）", "按「是否指」提示改正拼写，或删除该键"),
    ("E203", "wrong-type", "值的类型不对", "按提示改成正确的类型，例如日期写成 2021-09-01，是/否写成 true/false"),
    ("E204", "bad-value", "值不在允许的范围内", "从提示列出的可选值中选择"),
    ("E205", "bad-date", "日期无效", "日期写成 YYYY-MM-DD，例如 2021-09-01"),
    ("E206", "not-finite", "数字不能是 NaN 或无穷大", "写出确切的数字；不知道时不填该项"),
    ("E207", "number-too-long", "整数的位数过多", "整数不超过 30 位；金额等写成普通数字"),
    ("E208", "implausible-date", "日期超出合理范围（1900-01-01 至 2100-12-31）", "核对年份是否写错"),
    ("E209", "date-order", "两个日期的先后矛盾（例如发证日期晚于有效期届满日期）", "核对两个日期，改正写错的一个"),
    ("E210", "duplicate-rule-id", "规则编号重复", "每条规则用自己的编号；同一规则的新版本沿用编号时，须用 effective 划分不同的期间"),
    ("E211", "unknown-source", "引用了规则集未声明的法律来源", "在 ruleset.yaml 的 sources 中声明该来源，或改正来源编号"),
    ("E212", "citation-gap", "规则生效期间内有日期没有现行有效的引用依据", "补充该期间有效的法律版本的引用，或调整规则的生效期间"),
    ("E213", "bad-period", "生效期间的起始日期晚于终止日期", "检查 effective 的 from 与 to"),
    ("E214", "missing-citation", "否决或补正类规则没有引用法律依据", "在 cite 中至少列出一条法律依据"),
    ("E215", "no-ruleset", "目录中没有规则集", "规则集目录应包含 ruleset.yaml 和若干规则文件"),
    ("E216", "unknown-document", "未知的材料代码", "从材料目录中选择，按「是否指」提示改正"),
    ("E217", "unverified-article", "未核实的引用缺少条文号时必须说明", "条文号不明时写 note 说明，并保持 verified: false"),
    ("E218", "article-not-in-version", "所引条文号超出规则生效期间施行的法律版本的条文范围", "核对该版本的条文号；条文序号在各版本间不同时，用 version 分别引用"),
    ("E219", "period-outside-law", "规则的生效期间不在所引法律任何版本的施行期间内", "调整 effective，或引用在该期间施行的法律版本"),
    ("E220", "bad-expect", "案例的 expect 部分有误", "expect 中写 decision（决定）和 findings（规则编号列表）"),
    ("E221", "overlapping-periods", "同一规则编号的多个版本生效期间重叠", "前一版本写上 effective.to（新版本施行前一日）"),
    ("E222", "bad-premise-fact", "推算或推定的事实不存在，或位于列表元素之内", "按「是否指」提示改正事实路径；只能推算或推定对象中的字段"),
    ("E223", "bad-premise-value", "推算或推定的值与事实的类型不符", "推定的值写成该事实的合法值（是/否写 true/false，枚举写代码）；推算的表达式须算出同类型的值"),
    ("E224", "conflicting-presumptions", "同一事实在不同规则集中推定为不同的值", "统一推定的值，或删除其中一条推定"),
    ("E301", "expr-syntax", "条件表达式语法错误", "按提示检查括号、引号和运算符"),
    ("E302", "unknown-fact", "未知的事实字段", "按「是否指」提示改正字段路径；字段表见 approval-rules schema case"),
    ("E303", "type-mismatch", "运算符两边的类型不匹配", "比较同类的值：日期与日期、数字与数字、文字与文字"),
    ("E304", "unknown-enum-value", "取值不在该字段允许的范围内", "从提示列出的可选值中选择"),
    ("E305", "unknown-function", "未知的函数", "可用的函数见 docs/rule-language.md"),
    ("E306", "wrong-arity", "函数参数个数不对", "按函数说明提供参数"),
    ("E307", "full-width-char", "表达式中有全角或形近字符", "把全角符号（＝（）：，“”）改成半角符号"),
    ("E308", "not-a-condition", "条件的结果不是「是/否」", "条件应是比较或判断，例如 x == \"a\" 或 exists(x)"),
    ("E309", "unknown-placeholder", "消息模板中的占位符不是已知事实", "占位符写成 {事实路径}，例如 {licence.expiry_date}"),
    ("E310", "expr-too-deep", "条件表达式嵌套过深", "把内层的部分写成 definitions 中的定义，或去掉多余的括号和 not"),
    ("E311", "expr-too-large", "条件表达式过长", "拆成几条规则，或把一部分写成 definitions 中的定义"),
    ("E312", "number-too-large", "数字位数过多", "核对数字是否写错；整数部分最多 15 位"),
    ("E313", "date-out-of-range", "日期超出允许的范围（1900-01-01 至 2100-12-31）", "核对年份是否写错"),
    ("E314", "period-too-long", "日期加减的期间过长（合计最多 200 年）", "核对期间的数量和单位（days、months、years）"),
    ("W501", "unverified-citation", "引用的条文号未经核实", "依据官方文本（国家法律法规数据库、应急管理部规章库）核对后改为 verified: true"),
    ("W502", "message-fact-not-read", "说明文字引用了规则没有审查的事实", "说明文字应只引用本规则审查的事实，或在条件中加入该事实"),
    ("W503", "always-true", "条件总是成立", "检查条件是否写错；要求总是成立的规则永远不会发现问题"),
    ("W504", "always-false", "条件总是不成立", "检查条件是否写错；适用条件总是不成立的规则永远不会适用"),
    ("W505", "contradictory-rules", "两条规则适用条件相同而要求互相矛盾", "同一案卷不可能同时满足两条规则；核对法律依据后修改其中一条"),
    ("W506", "analysis-truncated", "静态分析已截断：条件过于复杂，未做完全部检查", "条件本身可以使用；如需完整检查，拆分条件或减少其中的取值"),
)


@dataclass(frozen=True)
class Diagnostic:
    """One problem, with where it is and what to do about it."""

    code: str
    message: str
    pos: SourcePos | None = None
    rule_id: str | None = None
    hint: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def slug(self) -> str:
        return CODES[self.code].slug if self.code in CODES else self.code

    def sort_key(self) -> tuple[Any, ...]:
        p = self.pos
        return (p.file, p.line, p.col, self.code) if p else ("", 0, 0, self.code)

    def render(self) -> str:
        where = f"{self.pos}: " if self.pos else ""
        rule = f"规则 {self.rule_id}：" if self.rule_id else ""
        text = f"{where}{self.severity.value} {self.code}: {rule}{self.message}"
        if self.hint:
            text += f"\n  提示: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        p = self.pos
        return {
            "file": p.file if p else None,
            "line": p.line if p else None,
            "col": p.col if p else None,
            "severity": self.severity.value,
            "code": self.code,
            "slug": self.slug,
            "rule_id": self.rule_id,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class ApprovalRulesError(Exception):
    """Base of the package's errors; carries every diagnostic found, sorted by position."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.diagnostics = sort_diagnostics(self.diagnostics)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


class RulesError(ApprovalRulesError):
    """A rule set failed to load or compile."""


class ProjectFileError(ApprovalRulesError):
    """A project file (申报材料/项目档案) is not valid input."""


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diags, key=Diagnostic.sort_key)


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt word, as a ready 是否指 hint, or None."""
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.7)
    return f"是否指「{match[0]}」？" if match else None


def clip(value: object, limit: int = 60) -> str:
    """A value from the input, short enough to quote in a message (a file may hold a megabyte in one string)."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 字）"


def translate(message: str, table: dict[str, str]) -> str:
    """A parser's English ``message`` in Chinese: the entry whose key begins it, else unchanged."""
    for en, zh in table.items():
        if message.startswith(en):
            return zh
    return message


_ERRNO_ZH = {
    errno.ENOENT: "文件或目录不存在", errno.EISDIR: "是目录，应为文件", errno.ENOTDIR: "不是目录",
    errno.EACCES: "没有权限", errno.EPERM: "不允许的操作", errno.ENOSPC: "磁盘已满", errno.EROFS: "文件系统只读",
    errno.EEXIST: "已存在", errno.ENAMETOOLONG: "文件名太长", errno.EMFILE: "打开的文件太多", errno.EIO: "读写错误",
    errno.EDQUOT: "超出磁盘配额", errno.ELOOP: "符号链接循环",
}


def os_error_zh(exc: OSError, with_name: bool = True) -> str:
    """An OSError as a person reads it, in Chinese (the OS's own text is English): by errno, then the file."""
    what = _ERRNO_ZH.get(exc.errno or 0) or f"系统错误（errno {exc.errno}）"
    name = exc.filename if with_name and exc.filename is not None else ""
    return f"{name}：{what}" if name else what
