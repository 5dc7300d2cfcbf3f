"""Files → validated models plus source maps, or an error listing every problem at once.

Rule sets are directories: ``ruleset.yaml`` (header and legal sources) and rule files
(``*.yaml``, usually one chapter each). Project files are YAML or JSON; a reserved
top-level ``expect:`` block (used by the bundled example cases) is split off and checked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from ..core.diagnostics import Diagnostic, ProjectFileError, RulesError, SourcePos, os_error_zh
from ..model.project import ProjectFile
from ..model.project.base import Date
from .models import Profile, RModel, Rule, RuleFile, RuleSetHeader
from .schema_errors import to_diagnostics
from .jsonsource import keys_all_read, load_json
from .yamlsource import SourceMap, load_yaml

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
                if keys_all_read(text):
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
