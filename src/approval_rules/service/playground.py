"""规则试算: a rule file edited in the browser, run on a copy of the active rules — lint, bundled cases, the diff.

Nothing is activated and nothing is logged as a decision; the copy lives in a temporary folder
for the length of the request.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..authoring.casetest import run_cases
from ..authoring.lint import lint
from ..authoring.rulediff import compare_decisions, compare_rules
from ..core.diagnostics import RulesError
from ..engine.compiler import compile_rules
from ..ruleset.loader import load_rules
from .books import Active
from .webio import ApiError, content_kind, json_response, parse_json, read_body, require, text_of

AUTHOR = ("author",)
MAX_PASTED = 20


def rule_files(active: Active) -> list[str]:
    base = active.root / "rules"
    return sorted(p.relative_to(active.root).as_posix() for p in base.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _relative(d: dict[str, Any], tmp: Path) -> dict[str, Any]:
    if d.get("file"):
        try:
            d["file"] = Path(d["file"]).relative_to(tmp).as_posix()
        except ValueError:
            pass
    return d


def run(active: Active, rule_file: str, text: str, pasted: list[str]) -> dict[str, Any]:
    if rule_file not in rule_files(active):
        raise ApiError(400, "invalid_parameter", f"没有规则文件「{rule_file}」；可选：{'、'.join(rule_files(active))}")
    if len(pasted) > MAX_PASTED:
        raise ApiError(413, "too_many", f"一次至多试算 {MAX_PASTED} 个粘贴的项目文件")
    with tempfile.TemporaryDirectory(prefix="approval-rules-playground-") as name:
        tmp = Path(name)
        shutil.copytree(active.root / "rules", tmp / "rules")
        (tmp / rule_file).write_text(text, encoding="utf-8")
        report = lint(tmp / "rules")
        out: dict[str, Any] = {
            "revision": active.revision, "rule_file": rule_file,
            "lint": {"summary": report.summary(), "errors": len(report.errors), "warnings": len(report.warnings),
                     "diagnostics": [_relative(d.to_dict(), tmp) for d in report.diagnostics]},
            "activated": False,
        }
        if report.errors:
            return out
        try:
            book = compile_rules(load_rules(tmp / "rules"))
        except RulesError as exc:
            out["lint"]["diagnostics"] += [_relative(d.to_dict(), tmp) for d in exc.diagnostics]
            return out
        paths: list[Path] = active.case_paths()
        for i, body in enumerate(pasted, 1):
            p = tmp / "pasted" / (f"粘贴-{i}.json" if body.lstrip().startswith("{") else f"粘贴-{i}.yaml")
            p.parent.mkdir(exist_ok=True)
            p.write_text(body, encoding="utf-8")
            paths.append(p)
        cases = run_cases(book, active.case_paths())
        out["cases"] = {"total": len(cases), "failing": [
            {"file": Path(r.file).relative_to(active.root).as_posix(), "line": r.line, "problems": r.problems} for r in cases if not r.ok]}
        changes, checked, errors = compare_decisions(active.book, book, paths)
        for c in changes:
            src = Path(c.source)
            c.source = src.relative_to(tmp).as_posix() if tmp in src.parents else src.relative_to(active.root).as_posix()
        out["diff"] = {
            "rules": [r.to_dict() for r in compare_rules(active.book, book)],
            "cases": [c.to_dict() for c in changes], "cases_checked": checked,
            "decisions_changed": sum(c.decision_changed for c in changes),
            "errors": [e.replace(str(tmp) + "/", "") for e in errors],
        }
        return out


async def endpoint(request: Request) -> Response:
    service = request.app.state.service
    require(request, service.tokens, AUTHOR)
    content_kind(request, ("json",))
    data = parse_json(text_of(await read_body(request, service.settings.max_body)))
    if not isinstance(data, dict) or not isinstance(data.get("rule_file"), str) or not isinstance(data.get("text"), str):
        raise ApiError(400, "invalid_parameter", "请求体应是 {\"rule_file\": 规则文件, \"text\": 修改后的内容, \"cases\"?: [项目文件文本]}")
    pasted = data.get("cases") or []
    if not isinstance(pasted, list) or not all(isinstance(c, str) for c in pasted):
        raise ApiError(400, "invalid_parameter", "cases 应是项目文件文本的列表")
    result = await asyncio.to_thread(run, service.active(), data["rule_file"], data["text"], pasted)
    return json_response(result)
