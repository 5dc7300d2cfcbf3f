"""YAML text to plain data plus a map from data paths to source positions.

PyYAML silently lets a later duplicate key win and loses positions once data is built;
for legal staff both matter, so we compose the node tree ourselves and keep the marks.
Positions stay beside the data (in a ``SourceMap``), never inside the models, so a
position never changes what two values compare equal.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..core.diagnostics import Diagnostic, SourcePos, clip, translate
from ..model.project.base import MAX_INT_DIGITS

Path = tuple[str | int, ...]

# Nesting beyond this is no real file, and is refused before Python's recursion limit is met.
MAX_DEPTH = 64
# Aliases let a few hundred bytes stand for billions of values ("billion laughs"): the values
# built may exceed the file's size only by this factor (plus room for small files).
_NODES_PER_CHAR = 100
_NODES_EXTRA = 10_000

_CORE = "tag:yaml.org,2002:"
# Only plain core-schema scalars: every other tag (!!set, !!binary, !!python/..., !custom)
# asks for something a project or rule file never needs.
_SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_KEY_TAGS = {_CORE + t for t in ("str", "int", "bool", "null")}
_MERGE = _CORE + "merge"
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class _Scalar:
    """Where a scalar value sits, enough to place a character offset inside it."""

    line: int  # 0-based, as PyYAML marks
    col: int
    end_line: int
    style: str | None


@dataclass
class SourceMap:
    """Positions of keys and values in one file, keyed by data path."""

    file: str
    values: dict[Path, SourcePos] = field(default_factory=dict)
    keys: dict[Path, SourcePos] = field(default_factory=dict)
    scalars: dict[Path, _Scalar] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def value(self, path: Path) -> SourcePos:
        """Position of the value at ``path``, or of its nearest existing ancestor."""
        path = tuple(path)
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), SourcePos(self.file, 1, 1))

    def key(self, path: Path) -> SourcePos:
        """Position of the key that holds ``path`` (falls back to the value)."""
        path = tuple(path)
        return self.keys.get(path) or self.value(path)

    def offset(self, path: Path, offset: int) -> SourcePos:
        """Position of character ``offset`` inside the string scalar at ``path``.

        Exact for quoted single-line scalars, plain scalars, and literal (``|``) and folded
        (``>``) block scalars, where a line break counts as one character, as YAML reads it.
        Multi-line quoted scalars fall back to the start of the scalar.
        """
        path = tuple(path)
        sc = self.scalars.get(path)
        if sc is None:
            return self.value(path)
        if sc.style in ("|", ">"):
            return self._lines_offset(sc.line + 1, None, offset, sc)
        if sc.line == sc.end_line:
            quote = 1 if sc.style in ("'", '"') else 0
            return SourcePos(self.file, sc.line + 1, sc.col + 1 + quote + offset)
        if sc.style is None:
            return self._lines_offset(sc.line, sc.col, offset, sc)
        return SourcePos(self.file, sc.line + 1, sc.col + 1)

    def _lines_offset(self, line_no: int, first_col: int | None, offset: int, sc: _Scalar) -> SourcePos:
        remaining = offset
        while line_no < len(self.lines):
            text = self.lines[line_no]
            start = first_col if first_col is not None else len(text) - len(text.lstrip(" "))
            first_col = None
            content = text[start:].rstrip()
            if remaining <= len(content):
                return SourcePos(self.file, line_no + 1, start + remaining + 1)
            remaining -= len(content) + 1
            line_no += 1
        return SourcePos(self.file, sc.line + 1, sc.col + 1)


def _pos(file: str, mark: yaml.Mark) -> SourcePos:
    return SourcePos(file, mark.line + 1, mark.column + 1)


class _Stop(Exception):
    """A limit was passed: building stops with this one diagnostic."""

    def __init__(self, diag: Diagnostic):
        self.diag = diag


class _Builder:
    def __init__(self, file: str, loader: yaml.SafeLoader, smap: SourceMap, budget: int):
        self.file = file
        self.loader = loader
        self.smap = smap
        self.diags: list[Diagnostic] = []
        self.count = 0
        self.budget = budget

    def build(self, node: yaml.Node, path: Path, depth: int = 0) -> Any:
        """``depth`` counts the collections around ``node``; an alias is built again wherever
        it is used, so the budget counts values built, not nodes composed."""
        pos = _pos(self.file, node.start_mark)
        self.count += 1
        if self.count > self.budget:
            raise _Stop(Diagnostic("E105", f"锚点和别名展开后的值过多（超过 {self.budget:,} 个）", pos))
        self.smap.values[path] = pos
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if depth >= MAX_DEPTH:
            raise _Stop(Diagnostic("E106", f"嵌套层次过深（超过 {MAX_DEPTH} 层）", pos))
        if isinstance(node, yaml.MappingNode) and node.tag == _CORE + "map":
            return self._mapping(node, path, depth + 1)
        if isinstance(node, yaml.SequenceNode) and node.tag == _CORE + "seq":
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        self._tag_error(node)
        return None

    def _scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        pos = _pos(self.file, node.start_mark)
        if node.tag not in _SCALAR_TAGS:
            self._tag_error(node)
            return None
        if node.tag == _CORE + "int" and len(node.value) > MAX_INT_DIGITS + 4:  # sign, 0x, _
            self.diags.append(too_long(node.value, pos))
            return None
        try:
            value = self.loader.construct_object(node, deep=True)
        except ValueError:
            if node.tag != _CORE + "timestamp":
                self.diags.append(Diagnostic("E203", f"无法识别的值「{clip(node.value)}」", pos))
                return None
            # PyYAML recognises 2015-02-30 as a timestamp and then fails to build the date.
            self.diags.append(Diagnostic("E205", f"日期「{clip(node.value)}」无效：不是有效的日历日期", pos, hint="日期写成 YYYY-MM-DD，例如 2021-09-01"))
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.diags.append(not_finite(node.value, pos))
            return None
        if isinstance(value, int) and abs(value) >= 10**MAX_INT_DIGITS:
            self.diags.append(too_long(node.value, pos))
            return None
        if isinstance(value, str):
            bad = _SURROGATE.search(value)
            if bad:
                self.diags.append(lone_surrogate(bad.group(), pos))
                return None
            self.smap.scalars[path] = _Scalar(
                node.start_mark.line, node.start_mark.column, node.end_mark.line, node.style or None  # libyaml: ''
            )
        return value

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self._merge(out, value_node, path, depth)
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _KEY_TAGS:
                self.diags.append(
                    Diagnostic("E103", "键只能是文字", _pos(self.file, key_node.start_mark))
                )
                continue
            key = str(key_node.value)
            kpos = _pos(self.file, key_node.start_mark)
            if self._duplicate(out, path, key, kpos):
                continue
            self.smap.keys[path + (key,)] = kpos
            out[key] = self.build(value_node, path + (key,), depth)
        return out

    def _merge(self, out: dict[str, Any], node: yaml.Node, path: Path, depth: int) -> None:
        """``<<: *a`` built here rather than by PyYAML's flatten_mapping, which copies merged
        pairs before anything counts them (merges of merges double at every level)."""
        here = self.smap.values[path]
        for source in node.value if isinstance(node, yaml.SequenceNode) else [node]:
            if not isinstance(source, yaml.MappingNode):
                self.diags.append(Diagnostic("E103", "「<<」只能合并键值对", _pos(self.file, source.start_mark)))
                continue
            merged = self.build(source, path, depth)
            self.smap.values[path] = here
            for key, value in (merged or {}).items():
                if not self._duplicate(out, path, key, _pos(self.file, node.start_mark)):
                    out[key] = value

    def _duplicate(self, out: dict[str, Any], path: Path, key: str, pos: SourcePos) -> bool:
        if key not in out:
            return False
        first = self.smap.keys.get(path + (key,))
        where = f"（第一次出现在第 {first.line} 行第 {first.col} 列）" if first else ""
        self.diags.append(Diagnostic("E102", f"键「{clip(key)}」重复{where}", pos, hint="删除或合并重复的键"))
        return True

    def _tag_error(self, node: yaml.Node) -> None:
        self.diags.append(_tag_problem(node.tag, node.start_mark, self.file))


def _tag_problem(tag: str, mark: yaml.Mark, file: str) -> Diagnostic:
    return Diagnostic("E103", f"不允许使用 YAML 标签「{clip(tag.replace(_CORE, '!!'))}」", _pos(file, mark),
                      hint="去掉标签；只能写文字、数字、日期、是/否、列表和键值对")


def not_finite(text: str, pos: SourcePos) -> Diagnostic:
    return Diagnostic("E206", f"数字「{clip(text)}」不是有限的数（NaN 或无穷大）", pos, hint="写出确切的数字；不知道时不填该项")


def too_long(text: str, pos: SourcePos) -> Diagnostic:
    return Diagnostic("E207", f"整数「{clip(text)}」的位数过多（最多 {MAX_INT_DIGITS} 位）", pos)


def lone_surrogate(char: str, pos: SourcePos) -> Diagnostic:
    return Diagnostic("E107", f"文字中有孤立的 UTF-16 代理项 U+{ord(char):04X}，不是有效的字符", pos,
                      hint="删除该字符，或把该字符直接写进文件（不用 \\u 转义）")


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark):
        self.mark = mark


class _PyLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML's types are a separate stub package
    """The pure-Python loader, whose composer recurses once per level: it stops at the limit."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH and self.check_event(yaml.CollectionStartEvent):
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _compose(text: str) -> tuple[yaml.SafeLoader, yaml.Node | None]:
    """The document's node tree, and the loader that constructs its scalars.

    libyaml (when PyYAML has it) composes ten times faster with the same positions; a document
    it refuses (libyaml stops at 1,000 levels itself) is parsed again by the pure-Python
    parser, whose error messages are translated and whose depth is limited.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        loader = fast(text)
        try:
            return loader, loader.get_single_node()
        except (yaml.YAMLError, RecursionError):
            pass
        finally:
            loader.dispose()
    loader = _PyLoader(text)
    try:
        return loader, loader.get_single_node()
    finally:
        loader.dispose()


def load_yaml(text: str, file: str) -> tuple[Any, SourceMap, list[Diagnostic]]:
    """Parse one YAML document; return data, its source map and any problems found."""
    text = text.removeprefix("\ufeff")
    smap = SourceMap(file, lines=text.splitlines())
    try:
        loader, node = _compose(text)
    except _TooDeep as exc:
        return None, smap, [Diagnostic("E106", f"嵌套层次过深（超过 {MAX_DEPTH} 层）", _pos(file, exc.mark))]
    except yaml.reader.ReaderError as exc:
        return None, smap, [_reader_error(exc, text, file)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _pos(file, mark) if mark else SourcePos(file, 1, 1)
        return None, smap, [Diagnostic("E101", f"YAML 语法错误：{_problem(exc)}", pos)]
    except yaml.YAMLError as exc:
        return None, smap, [Diagnostic("E101", f"YAML 语法错误：{exc}", SourcePos(file, 1, 1))]
    if node is None:
        return None, smap, []
    builder = _Builder(file, loader, smap, _NODES_PER_CHAR * len(text) + _NODES_EXTRA)
    try:
        data = builder.build(node, ())
    except _Stop as stop:
        return None, smap, [stop.diag]
    return data, smap, builder.diags + _explicit_collection_tags(text, file)


def _explicit_collection_tags(text: str, file: str) -> list[Diagnostic]:
    """``!!map``/``!!seq`` written out: the composed node looks as if untagged, the events do not.

    Only a text that contains the letters is parsed again for its events, so no other file pays.
    """
    if "!!map" not in text and "!!seq" not in text:
        return []
    fast = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [
        _tag_problem(e.tag, e.start_mark, file)
        for e in yaml.parse(text, Loader=fast)
        if isinstance(e, (yaml.MappingStartEvent, yaml.SequenceStartEvent)) and not e.implicit
    ]


def _reader_error(exc: yaml.reader.ReaderError, text: str, file: str) -> Diagnostic:
    at = exc.position
    pos = SourcePos(file, text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at))
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return Diagnostic("E101", f"文件中有不允许的字符 U+{ord(char):04X}（控制字符或无效字符）", pos,
                      hint="删除该字符；文字中的换行、制表符之外的控制字符不能写入文件")


def _problem(exc: yaml.MarkedYAMLError) -> str:
    for text in (exc.problem, exc.context):
        if text and translate(text, _PROBLEMS) != text:
            return translate(text, _PROBLEMS)
    # An unlisted PyYAML message is quoted as the parser's own words, not passed off as a sentence of ours.
    return f"无法解析（解析器原文：「{exc.problem or exc.context or '未知问题'}」）"


_PROBLEMS = {
    "mapping values are not allowed here": "此处不能出现「键: 值」（冒号前是否缺少缩进或引号？）",
    "could not find expected ':'": "找不到应有的冒号「:」",
    "found character '\\t' that cannot start any token": "不能用制表符（Tab）缩进，请改用空格",
    "did not find expected key": "缩进不一致，找不到应有的键",
    "found unexpected end of stream": "文件意外结束（引号或括号未闭合？）",
    "expected <document start>, but found '<block mapping start>'": "缩进不一致",
    "expected <block end>, but found": "缩进不一致（同一层级的键应对齐）",
    "did not find expected '-' indicator": "列表项缩进不一致，找不到应有的「-」",
    "expected a single document in the stream": "一个文件只能有一个 YAML 文档（去掉多余的 ---）",
    "found undefined alias": "引用了未定义的别名（*）",
    "but found another document": "一个文件只能有一个 YAML 文档（去掉多余的 ---）",
    "found duplicate anchor": "锚点（&）名称重复",
    "found character": "此处不能出现该字符（特殊字符开头的值请加引号）",
    "found unknown escape character": "双引号字符串中有无法识别的反斜杠转义",
    "expected escape sequence": "\\x、\\u 或 \\U 转义后的十六进制数字不对",
    "found unexpected ':'": "此处不能出现冒号（值中含冒号时请加引号）",
    "found unexpected document separator": "字符串中出现了文档分隔符（--- 或 ...）",
    "expected ',' or ']'": "方括号列表中缺少逗号「,」或右方括号「]」",
    "expected ',' or '}'": "花括号中缺少逗号「,」或右花括号「}」",
    "block sequence entries are not allowed here": "此处不能出现列表项「-」（缩进不对？）",
    "sequence entries are not allowed here": "此处不能出现列表项「-」（缩进不对？）",
    "mapping keys are not allowed here": "此处不能出现键（「?」开头的复杂键不可用）",
    "expected the node content": "此处应有一个值（多余的逗号或括号？）",
    "did not find expected node content": "此处应有一个值（多余的逗号或括号？）",
    "expected chomping or indentation indicators": "块标量的标记 | 或 > 后只能写 +、- 或缩进数字",
    "expected indentation indicator": "块标量的缩进数字应在 1 到 9 之间",
    "expected '!'": "标签（!）写法不对",
    "expected URI": "标签（!）写法不对",
    "found unknown escape": "双引号字符串中有无法识别的反斜杠转义",
    "did not find URI escaped octet": "标签（!）写法不对",
    "expected a directive name": "% 指令写法不对（值以 % 开头时请加引号）",
    "expected a digit": "% 指令写法不对（值以 % 开头时请加引号）",
    "found unexpected non-alphabetical character": "% 指令写法不对（值以 % 开头时请加引号）",
    "expected a mapping node": "合并键（<<）后应是键值对或其别名",
    "expected a mapping or list of mappings": "合并键（<<）后应是键值对或其别名",
    "expected a mapping": "此处应是键值对",
    "expected <block end>": "缩进不一致（同一层级的键应对齐）",
    "expected <document start>": "缩进不一致，或文件中有多余的内容",
    "expected alphabetic or numeric character": "锚点（&）、别名（*）或标签（!）的名称不对",
    "expected ' ', but found": "标签（!）后应有空格",
    "found undefined tag handle": "使用了未定义的标签（!）",
    "expected a comment or a line break": "此处应是行尾或注释（块标量的标记 | 或 > 后有多余字符？）",
    "found a tab character": "不能用制表符（Tab）缩进，请改用空格",
    "found incompatible YAML document": "不支持的 YAML 版本（%YAML 指令）",
    "found duplicate YAML directive": "%YAML 指令重复",
    "found duplicate tag handle": "%TAG 指令重复",
    "could not find expected": "找不到应有的结束符（引号或括号未闭合？）",
    "while scanning": "无法解析（引号或括号未闭合？）",
    "while parsing": "无法解析（缩进或括号不对？）",
}
