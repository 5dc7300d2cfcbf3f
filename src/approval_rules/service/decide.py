"""From a request body to a decision and its log row: parse (JSON or YAML, bare or in an envelope), decide, record.

A JSON body is either a project file itself or an envelope ``{"input": <project file>,
"as_of"?, "profile"?}``; a YAML body is a project file. Diagnostics point into the body as sent
(for an envelope, at the line and column inside it).
"""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from ..authoring.explain import explain
from ..batch.workers import ENGINE_VERSION
from ..core.diagnostics import ProjectFileError
from ..engine.decision import Decision
from ..engine.evaluator import evaluate
from ..model.project import ProjectFile
from ..ruleset.loader import parse_project, validate_project
from ..ruleset.yamlsource import MAX_DEPTH
from ..ruleset.profile import Profile, parse_profile
from ..ruleset.yamlsource import SourceMap, load_yaml
from .auth import Caller
from .books import Active
from .records import LogRow, mask, new_id, now_iso, sha256
from .webio import ApiError, parse_json

SOURCE = {"json": "request.json", "yaml": "request.yaml"}


@dataclass
class Parsed:
    project: ProjectFile
    data: Any  # the project file as JSON data (masked before it is logged)
    raw: bytes  # what the input's SHA-256 is taken of
    as_of: _dt.date | None = None
    profile: Profile | None = None


def as_date(value: Any, name: str = "as_of") -> _dt.date | None:
    if value in (None, ""):
        return None
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise ApiError(400, "invalid_parameter", f"{name}「{value}」不是有效日期，应写成 YYYY-MM-DD") from None


def _problems(exc: ProjectFileError, json_syntax: bool = False) -> ApiError:
    codes = {d.code for d in exc.diagnostics}
    if "E106" in codes:
        return ApiError(400, "too_deep", f"嵌套过深（上限 {MAX_DEPTH} 层）", exc.diagnostics)
    if json_syntax and codes == {"E101"}:
        return ApiError(400, "invalid_json", "请求体不是有效的 JSON", exc.diagnostics)
    return ApiError(422, "invalid_project_file", f"项目文件有 {len(exc.diagnostics)} 处错误，无法审查", exc.diagnostics)


def _shifted(smap: SourceMap, prefix: tuple[Any, ...]) -> SourceMap:
    out = SourceMap(smap.file, lines=smap.lines)
    n = len(prefix)
    tables: tuple[tuple[dict[Any, Any], dict[Any, Any]], ...] = (
        (smap.values, out.values), (smap.keys, out.keys), (smap.scalars, out.scalars),
    )
    for table, dest in tables:
        for path, pos in table.items():
            if path[:n] == prefix:
                dest[path[n:]] = pos
    return out


def validate_in(data: Any, text: str | None, source: str, prefix: tuple[Any, ...]) -> ProjectFile:
    """``data`` (found at ``prefix`` in ``text``) as a project file; diagnostics at their place in ``text``."""
    try:
        return ProjectFile.model_validate({k: v for k, v in data.items() if k != "expect"} if isinstance(data, dict) else data)
    except ValidationError:
        smap = _shifted(load_yaml(text, source)[1], prefix) if text is not None else SourceMap(source)
        try:
            return validate_project(data, source, None, smap).project
        except ProjectFileError as exc:
            raise _problems(exc) from None


def parse_body(body: bytes, text: str, kind: str, query_as_of: str | None = None) -> Parsed:
    source = SOURCE[kind]
    as_of = as_date(query_as_of)
    if kind == "yaml":
        try:
            project = parse_project(text, source, "yaml").project
        except ProjectFileError as exc:
            raise _problems(exc) from None
        return Parsed(project, project.model_dump(mode="json", by_alias=True, exclude_none=True), body, as_of)
    if '"input"' not in text:  # a bare project file: the library's reader is as strict and faster
        try:
            project = parse_project(text, source, "json").project
        except ProjectFileError as exc:
            raise _problems(exc, json_syntax=True) from None
        return Parsed(project, orjson.loads(text), body, as_of)
    data = parse_json(text, source)
    if isinstance(data, dict) and "input" in data:
        unknown = set(data) - {"input", "as_of", "profile"}
        if unknown:
            raise ApiError(400, "invalid_parameter", f"请求中有未知的键：{'、'.join(sorted(unknown))}（可用：input、as_of、profile）")
        profile = as_profile(data.get("profile"))
        project = validate_in(data["input"], text, source, ("input",))
        return Parsed(project, data["input"], body, as_date(data.get("as_of")) or as_of, profile)
    try:
        project = parse_project(text, source, "json").project
    except ProjectFileError as exc:
        raise _problems(exc) from None
    return Parsed(project, data, body, as_of)


def as_profile(data: Any, source: str = "profile") -> Profile | None:
    """The deployment profile (receiving authority, strict mode) of a request, validated; 422 with its problems."""
    if data is None:
        return None
    try:
        return parse_profile(orjson.dumps(data).decode(), f"{source}.json")
    except ProjectFileError as exc:
        raise ApiError(422, "invalid_profile", f"部署配置（profile）有 {len(exc.diagnostics)} 处错误", exc.diagnostics) from None


def parse_item(item: Any, index: int) -> Parsed:
    """One item of a batch: a project file or an envelope, already parsed from the batch's JSON."""
    source = f"items/{index}"
    envelope = isinstance(item, dict) and "input" in item
    data = item["input"] if envelope else item
    project = validate_in(data, None, source, ())
    return Parsed(project, data, _canonical(data), as_date(item.get("as_of")) if envelope else None,
                  as_profile(item.get("profile"), f"{source}/profile") if envelope else None)


def _canonical(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def decide(active: Active, parsed: Parsed, caller: Caller, role: str, request_id: str, mask_pointers: list[str],
           with_trace: bool = False) -> tuple[dict[str, Any], LogRow, Decision]:
    """The answer to one decision request, the log row that must be committed before it is sent, the decision."""
    started = time.perf_counter()
    project = parsed.project
    d = evaluate(active.book, project, as_of=parsed.as_of, profile=parsed.profile)
    result = d.to_dict()
    decision_id = new_id()
    answer: dict[str, Any] = {"decision_id": decision_id, "revision": active.revision, "result": result}
    if with_trace:
        answer["trace"] = explain(active.book, project, parsed.as_of, profile=parsed.profile)
    masked, done = mask(parsed.data, mask_pointers)
    row = LogRow(
        decision_id=decision_id, time=now_iso(), caller=caller.name, role=role, request_id=request_id,
        case_id=d.case_id, application_id=project.application.id or "", as_of=d.as_of.isoformat(),
        revision=active.revision, rulesets=result["rulesets"], engine_version=ENGINE_VERSION,
        input_sha256=sha256(parsed.raw), input_masked=masked, masked=done, result=result, decision=d.decision,
        rules=[f.rule_id for f in d.findings], latency_ms=round((time.perf_counter() - started) * 1000, 3),
    )
    return answer, row, d
