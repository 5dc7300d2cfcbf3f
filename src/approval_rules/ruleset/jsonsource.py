"""JSON text to plain data, refusing what Python's json module accepts but no project file may hold.

Duplicate keys (json lets the last win), NaN and infinities, integers past the digit limit, lone
surrogates and nesting past the depth limit are each a diagnostic at its line and column; the
positions of duplicates and bad values come from the YAML reader (JSON is YAML).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from pydantic_core import from_json

from ..core.diagnostics import Diagnostic, ProjectFileError, SourcePos, translate
from ..model.project.base import MAX_INT_DIGITS
from .yamlsource import MAX_DEPTH, load_yaml, lone_surrogate, not_finite, too_long


def keys_all_read(text: str) -> bool:
    """Whether no key in the JSON ``text`` is a duplicate (pydantic lets the last one win).

    Every key is followed by one colon, so the colons in the text (an escaped colon,
    \\u003a, counted too) are the keys plus the colons inside strings. pydantic's parser builds
    the data far faster than json.loads with a hook; a file with any difference goes the slow
    way, which names both positions of a duplicate.
    """
    written = text.count(":") + text.count("\\u003a") + text.count("\\u003A")
    data = from_json(text)
    return _colons(data, False) == written or _colons(data, True) == written


def _colons(data: Any, in_strings: bool) -> int:
    """The keys in ``data`` (and, if ``in_strings``, the colons inside its strings)."""
    n = 0
    if type(data) is dict:
        n = len(data)
        if in_strings:
            n += sum(k.count(":") for k in data)
        data = data.values()
    for v in data:
        t = type(v)
        if t is dict or t is list:
            n += _colons(v, in_strings)
        elif in_strings and t is str:
            n += v.count(":")
    return n


class _Bad(str):
    """A JSON number the model must never see: NaN or infinity."""


class _Long(_Bad):
    """An integer with more digits than ``MAX_INT_DIGITS``."""


def _number(text: str) -> float | _Bad:
    value = float(text)
    return value if math.isfinite(value) else _Bad(text)


def _integer(text: str) -> int | _Bad:
    # Checked on the digits, before int() meets Python's own limit of 4,300.
    return _Long(text) if len(text.lstrip("-")) > MAX_INT_DIGITS else int(text)


def load_json(text: str, source: str) -> Any:
    """JSON text → data, refusing what json.loads accepts but no project file may hold."""
    deep = _too_deep(text)
    if deep is not None:
        raise ProjectFileError([Diagnostic("E106", f"嵌套层次过深（超过 {MAX_DEPTH} 层）", _at(text, deep, source))])
    duplicated: list[bool] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) != len(items):
            duplicated.append(True)
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=_Bad, parse_float=_number, parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise ProjectFileError([Diagnostic("E101", f"JSON 语法错误：{translate(exc.msg, _JSON_PROBLEMS)}", SourcePos(source, exc.lineno, exc.colno))]) from None
    bad = list(_bad_values(data, ()))
    if bad or duplicated:
        # JSON is YAML: the YAML reader gives the positions, and the duplicates with both of theirs.
        _, smap, found = load_yaml(text, source)
        diags = [d for d in found if d.code == "E102"]
        for path, value in bad:
            pos = smap.value(path)
            if isinstance(value, _Long):
                diags.append(too_long(value, pos))
            elif isinstance(value, _Bad):
                diags.append(not_finite(value, pos))
            else:
                diags.append(lone_surrogate(value, pos))
        raise ProjectFileError(diags or [Diagnostic("E102", "有重复的键", SourcePos(source, 1, 1))])
    return data


_SURROGATE = re.compile("[\ud800-\udfff]")
# A JSON string or a bracket: strings are skipped whole, so a bracket inside one does not count.
_JSON_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep(text: str) -> int | None:
    """Offset of the first bracket past ``MAX_DEPTH`` levels, before json.loads recurses into it."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for m in _JSON_NESTING.finditer(text):
        c = m.group()
        if c in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return m.start()
        elif c in ("]", "}"):
            depth -= 1
    return None


def _at(text: str, offset: int, source: str) -> SourcePos:
    return SourcePos(source, text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset))


def _bad_values(data: Any, path: tuple[Any, ...]) -> Any:
    """(path, value) of every refused number, and (path, character) of every lone surrogate."""
    if isinstance(data, _Bad):
        yield path, data
    elif isinstance(data, str):
        m = _SURROGATE.search(data)
        if m:
            yield path, m.group()
    elif isinstance(data, dict):
        for k, v in data.items():
            m = _SURROGATE.search(k)
            if m:
                yield path + (k,), m.group()
            yield from _bad_values(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _bad_values(v, path + (i,))


_JSON_PROBLEMS = {  # the messages of Python's json module, 3.11 to 3.13
    "Expecting value": "此处应是一个值（多余的逗号，或字符串未加双引号？）",
    "Expecting property name enclosed in double quotes": "此处应是用双引号括起的键（多余的逗号，或用了单引号？）",
    "Expecting ':' delimiter": "键后应有冒号「:」",
    "Expecting ',' delimiter": "缺少逗号「,」",
    "Unterminated string": "字符串没有结束的双引号",
    "Invalid control character": "字符串中有控制字符（换行应写作 \\n）",
    "Invalid \\uXXXX escape": "无效的 \\u 转义",
    "Invalid \\escape": "无效的反斜杠转义",
    "Extra data": "数据结束之后还有多余字符",
    "Illegal trailing comma": "最后一项之后多了逗号",
}
