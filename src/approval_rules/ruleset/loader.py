"""Files → validated models plus source maps, or an error listing every problem at once.

Rule sets are directories: ``ruleset.yaml`` (header and legal sources) and rule files
(``*.yaml``, usually one chapter each). Project files are YAML or JSON; a reserved
top-level ``expect:`` block (used by the bundled example cases) is split off and checked.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_core import from_json

from ..core.diagnostics import Diagnostic, ProjectFileError, RulesError, SourcePos, os_error_zh, translate
from ..model.project import ProjectFile
from ..model.project.base import MAX_INT_DIGITS, Date
from .models import Profile, RModel, Rule, RuleFile, RuleSetHeader
from .schema_errors import to_diagnostics
from .yamlsource import MAX_DEPTH as MAX_DEPTH, SourceMap, load_yaml, lone_surrogate, not_finite, too_long

HEADER_FILE = "ruleset.yaml"


@dataclass
class RuleEntry:
    """A rule as written, with the file it came from and its path in that file."""

    rule: Rule
    file: str
    path: tuple[Any, ...]
    chapter: str | None = None


@dataclass
class LoadedRuleSet:
    header: RuleSetHeader
    directory: str
    entries: list[RuleEntry]
    maps: dict[str, SourceMap]
    sha256: str
    files: list[str] = field(default_factory=list)


def _read(path: Path, name: str | None = None) -> tuple[str | None, Diagnostic | None]:
    name = name or str(path)
    try:
        return path.read_text(encoding="utf-8").removeprefix("\ufeff"), None
    except UnicodeDecodeError:
        return None, Diagnostic("E104", "文件不是 UTF-8 编码", SourcePos(name, 1, 1), hint="用 UTF-8 编码另存该文件")
    except OSError as exc:
        return None, Diagnostic("E104", f"无法读取文件：{os_error_zh(exc, with_name=False)}", SourcePos(name, 1, 1))


def display_name(root: str | Path, path: str | Path) -> str:
    """``path`` (found under ``root``) as positions show it: the root's name, then the path below it.
    Positions travel in findings and decision logs, so they never say where this copy sits (site-packages, /tmp)."""
    return f"{Path(root).resolve().name}/{Path(path).relative_to(root).as_posix()}"


def _parse_model(model: type[RModel], text: str, file: str) -> tuple[Any, Any, SourceMap, list[Diagnostic]]:
    data, smap, diags = load_yaml(text, file)
    if data is None and diags:
        return None, data, smap, diags
    if not isinstance(data, dict):
        return None, data, smap, diags or [Diagnostic("E203", "文件内容应是键值对（映射）", SourcePos(file, 1, 1))]
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        return None, data, smap, diags + _beside(diags, to_diagnostics(exc, data, smap, model))
    return (None if diags else parsed), data, smap, diags


def _beside(read: list[Diagnostic], validated: list[Diagnostic]) -> list[Diagnostic]:
    """The validation problems not at a value the reader already refused (built as None there)."""
    refused = {d.pos for d in read}
    return [d for d in validated if d.pos not in refused]


def rule_set_dirs(root: str | Path) -> list[Path]:
    """The rule-set directories under ``root`` (``root`` itself if it is one)."""
    root = Path(root)
    if (root / HEADER_FILE).is_file():
        return [root]
    return sorted(p.parent for p in root.glob(f"*/{HEADER_FILE}"))


def load_rule_set(directory: str | Path, root: str | Path | None = None) -> LoadedRuleSet:
    """Load one rule-set directory, naming files below ``root`` (default: itself); raise ``RulesError`` with every problem found."""
    directory = Path(directory)
    diags: list[Diagnostic] = []
    maps: dict[str, SourceMap] = {}
    entries: list[RuleEntry] = []
    files: list[str] = []
    digest = hashlib.sha256()
    header_path = directory / HEADER_FILE
    header = None
    for path in [header_path] + sorted(p for p in directory.glob("*.yaml") if p.name != HEADER_FILE):
        name = display_name(root or directory, path)
        text, problem = _read(path, name)
        if problem:
            diags.append(problem)
            continue
        assert text is not None
        files.append(name)
        digest.update(path.name.encode() + b"\0" + text.encode() + b"\0")
        model = RuleSetHeader if path == header_path else RuleFile
        parsed, _, maps[name], problems = _parse_model(model, text, name)
        diags += problems
        if path == header_path:
            header = parsed
        elif parsed is not None:
            entries += [RuleEntry(r, name, ("rules", i), parsed.chapter) for i, r in enumerate(parsed.rules)]
    if diags or header is None:
        raise RulesError(diags)
    return LoadedRuleSet(header, str(directory), entries, maps, digest.hexdigest(), files)


def load_rules(root: str | Path) -> list[LoadedRuleSet]:
    """Load every rule set under ``root``; raise one ``RulesError`` listing all problems."""
    dirs = rule_set_dirs(root)
    if not dirs:
        raise RulesError([Diagnostic("E215", f"目录「{root}」中没有规则集（缺少 {HEADER_FILE}）", SourcePos(str(root), 1, 1))])
    loaded: list[LoadedRuleSet] = []
    diags: list[Diagnostic] = []
    for d in dirs:
        try:
            loaded.append(load_rule_set(d, root))
        except RulesError as exc:
            diags += exc.diagnostics
    if diags:
        raise RulesError(diags)
    return loaded


# --- project files ---------------------------------------------------------------------------

Decision = Literal["approve", "reject", "needs_correction", "refer"]


class ExpectedCitation(RModel):
    rule: str = Field(title="规则编号")
    law_version: Date | None = Field(None, title="法律版本施行日期")
    article: int | None = Field(None, title="条")


class Expectation(RModel):
    """What an example case must decide (the ``expect:`` block)."""

    decision: Decision = Field(title="预期决定")
    findings: list[str] = Field(default_factory=list, title="预期的问题规则编号（全部列出）")
    citations: list[ExpectedCitation] = Field(default_factory=list, title="预期引用")
    to_verify: list[str] | None = Field(None, title="预期的待核查事实路径（写出时须全部列出）")
    corrections: list[str] | None = Field(None, title="预期的补正项（事实路径、材料代码或规则编号；写出时须全部列出）")
    presumed: list[str] | None = Field(None, title="预期依赖的推定事实路径（写出时须全部列出）")
    profile: Profile | None = Field(None, title="审查该案例的部署配置（受理机关等）")
    note: str | None = Field(None, title="说明")


@dataclass
class LoadedProject:
    project: ProjectFile
    source: str
    expect: Expectation | None = None
    smap: SourceMap | None = None
    expect_line: int | None = None


def parse_project(text: str, source: str, fmt: str | None = None) -> LoadedProject:
    """Parse one project file from text; raise ``ProjectFileError`` listing every problem.

    ``fmt`` is "json" or "yaml"; without it the name's suffix decides, and a name without one
    (a request id) is JSON when the text starts with ``{`` or ``[``.
    """
    text = text.removeprefix("\ufeff")
    fmt = fmt or _format_of(text, source)
    if fmt not in ("json", "yaml"):
        raise ValueError(f"项目文件的格式只能是 json 或 yaml，不能是「{fmt}」")
    if fmt == "json":
        if '"expect"' not in text:
            # The batch path: JSON parsed and validated in one pass by pydantic. Only a file that
            # fails, or may hold a duplicate key (which pydantic lets the last one win), goes the
            # slow way below, which places every problem at its line and column.
            try:
                project = ProjectFile.model_validate_json(text)
            except ValidationError:
                pass
            else:
                if _keys_all_read(text):
                    return LoadedProject(project, source)
        data = load_json(text, source)
        smap = None
    else:
        data, smap, diags = load_yaml(text, source)
        if diags:
            if data is not None:  # a refused value is None in data: the rest of the file is still checked
                try:
                    validate_project(data, source, text, smap)
                except ProjectFileError as exc:
                    diags += _beside(diags, exc.diagnostics)
            raise ProjectFileError(diags)
    return validate_project(data, source, text, smap)


def _format_of(text: str, source: str) -> str:
    name = source.lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    return "json" if text.lstrip()[:1] in ("{", "[") else "yaml"


def _keys_all_read(text: str) -> bool:
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


def validate_project(data: Any, source: str, text: str | None = None, smap: SourceMap | None = None) -> LoadedProject:
    """Validate already-parsed data as a project file (positions recovered from ``text`` if needed)."""
    if not isinstance(data, dict):
        raise ProjectFileError([Diagnostic("E203", "项目文件应是键值对（映射）", SourcePos(source, 1, 1))])
    body = {k: v for k, v in data.items() if k != "expect"}
    diags: list[Diagnostic] = []
    project = expect = None
    try:
        project = ProjectFile.model_validate(body)
    except ValidationError as exc:
        smap = smap or _map_for(text, source)
        diags += to_diagnostics(exc, body, smap, ProjectFile)
    if "expect" in data:
        try:
            expect = Expectation.model_validate(data["expect"])
        except ValidationError as exc:
            smap = smap or _map_for(text, source)
            for d in to_diagnostics(exc, data["expect"], _shift(smap, "expect"), Expectation):
                diags.append(Diagnostic("E220", d.message, d.pos, hint=d.hint))
    if diags:
        raise ProjectFileError(diags)
    assert project is not None
    line = smap.key(("expect",)).line if smap and "expect" in data else None
    return LoadedProject(project, source, expect, smap, line)


def _map_for(text: str | None, source: str) -> SourceMap:
    if text is None:
        return SourceMap(source)
    _, smap, _ = load_yaml(text, source)
    return smap


def _shift(smap: SourceMap, prefix: str) -> SourceMap:
    shifted = SourceMap(smap.file, lines=smap.lines)
    for table, out in ((smap.values, shifted.values), (smap.keys, shifted.keys)):
        for path, pos in table.items():
            if path[:1] == (prefix,):
                out[path[1:]] = pos
    return shifted


def load_project(path: str | Path) -> LoadedProject:
    path = Path(path)
    text, problem = _read(path)
    if problem:
        raise ProjectFileError([problem])
    assert text is not None
    return parse_project(text, str(path))
