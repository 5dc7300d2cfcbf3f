"""YAML text to plain data plus a map from data paths to source positions.

PyYAML silently lets a later duplicate key win and loses positions once data is built;
for legal staff both matter, so we compose the node tree ourselves and keep the marks.
Positions stay beside the data (in a ``SourceMap``), never inside the models, so a
position never changes what two values compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from ..core.diagnostics import Diagnostic, SourcePos, translate

Path = tuple[str | int, ...]

# An alias-expansion bomb ("billion laughs") must end in an error, not exhaust memory.
_MAX_NODES = 2_000_000


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


class _Builder:
    def __init__(self, file: str, loader: yaml.SafeLoader, smap: SourceMap):
        self.file = file
        self.loader = loader
        self.smap = smap
        self.diags: list[Diagnostic] = []
        self.count = 0

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise _TooLarge
        self.smap.values[path] = _pos(self.file, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        if node.tag.startswith("!") and not node.tag.startswith("!!"):
            self._tag_error(node)
            return None
        try:
            value = self.loader.construct_object(node, deep=True)
        except ValueError:
            # PyYAML recognises 2015-02-30 as a timestamp and then fails to build the date.
            pos = _pos(self.file, node.start_mark)
            self.diags.append(Diagnostic("E205", f"日期「{node.value}」无效：不是有效的日历日期", pos, hint="日期写成 YYYY-MM-DD，例如 2021-09-01"))
            return None
        except yaml.YAMLError as exc:
            self.diags.append(Diagnostic("E103", f"无法识别的值：{exc}", _pos(self.file, node.start_mark)))
            return None
        if isinstance(value, str):
            self.smap.scalars[path] = _Scalar(
                node.start_mark.line, node.start_mark.column, node.end_mark.line, node.style or None  # libyaml: ''
            )
        return value

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        out: dict[str, Any] = {}
        self.loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (
                "tag:yaml.org,2002:str",
                "tag:yaml.org,2002:int",
                "tag:yaml.org,2002:bool",
                "tag:yaml.org,2002:null",
            ):
                self.diags.append(
                    Diagnostic("E103", "键只能是文字", _pos(self.file, key_node.start_mark))
                )
                continue
            key = str(key_node.value)
            kpos = _pos(self.file, key_node.start_mark)
            if key in out:
                first = self.smap.keys.get(path + (key,))
                where = f"（第一次出现在第 {first.line} 行）" if first else ""
                self.diags.append(
                    Diagnostic("E102", f"键「{key}」重复{where}", kpos, hint="删除或合并重复的键")
                )
                continue
            self.smap.keys[path + (key,)] = kpos
            out[key] = self.build(value_node, path + (key,))
        return out

    def _tag_error(self, node: yaml.Node) -> None:
        self.diags.append(
            Diagnostic("E103", f"不允许使用 YAML 标签「{node.tag}」", _pos(self.file, node.start_mark))
        )


class _TooLarge(Exception):
    pass


def _compose(text: str) -> tuple[yaml.SafeLoader, yaml.Node | None]:
    """The document's node tree, and the loader that constructs its scalars.

    libyaml (when PyYAML has it) composes ten times faster with the same positions; a document
    it refuses is parsed again by the pure-Python parser, whose error messages are translated.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        loader = fast(text)
        try:
            return loader, loader.get_single_node()
        except yaml.YAMLError:
            pass
        finally:
            loader.dispose()
    loader = yaml.SafeLoader(text)
    try:
        return loader, loader.get_single_node()
    finally:
        loader.dispose()


def load_yaml(text: str, file: str) -> tuple[Any, SourceMap, list[Diagnostic]]:
    """Parse one YAML document; return data, its source map and any problems found."""
    smap = SourceMap(file, lines=text.splitlines())
    try:
        loader, node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _pos(file, mark) if mark else SourcePos(file, 1, 1)
        problem = translate(exc.problem or exc.context or "", _PROBLEMS)
        return None, smap, [Diagnostic("E101", f"YAML 语法错误：{problem}", pos)]
    except yaml.YAMLError as exc:
        return None, smap, [Diagnostic("E101", f"YAML 语法错误：{exc}", SourcePos(file, 1, 1))]
    if node is None:
        return None, smap, []
    builder = _Builder(file, loader, smap)
    try:
        data = builder.build(node, ())
    except _TooLarge:
        return None, smap, [Diagnostic("E105", "文件展开后过大", SourcePos(file, 1, 1))]
    except RecursionError:
        return None, smap, [Diagnostic("E105", "文件嵌套层次过深", SourcePos(file, 1, 1))]
    return data, smap, builder.diags


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
}
