"""``check`` (decide project files) and ``schema`` (the JSON Schemas of project and rule files)."""

from __future__ import annotations

import datetime as _dt
import json
import sys
from pathlib import Path

import click

from ..core.diagnostics import ProjectFileError
from ..engine.contract import decision_schema
from ..engine.evaluator import evaluate
from ..engine.render import decision_text
from ..model.project import ProjectFile
from ..ruleset.loader import load_project
from ..ruleset.rules_schema import rules_schema
from ..ruleset.profile import Profile
from .common import (
    EXIT_INPUT, _backend, _book, as_of_option, backend_option, cli, profile_option, rules_option, strict_option, with_strict,
)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="输出格式")
@rules_option
@as_of_option
@backend_option
@profile_option
@strict_option
def check(
    files: tuple[str, ...], fmt: str, rules_path: str | None, as_of: _dt.date | None, backend_name: str,
    profile: Profile | None, strict: bool,
) -> None:
    """审查项目文件，输出决定和理由（多个文件时 JSON 按行输出）。"""
    profile = with_strict(profile, strict)
    book = _book(rules_path)
    backend = _backend(backend_name)
    bad = 0
    for i, name in enumerate(files):
        try:
            loaded = load_project(name)
            d = evaluate(book, loaded.project, as_of, case_id=loaded.project.case_id or Path(name).stem, backend=backend, profile=profile)
        except ProjectFileError as exc:
            bad += 1
            click.echo(f"项目文件有错误，无法审查：{name}\n{exc.render()}", err=True)
            continue
        if fmt == "json":
            indent = 2 if len(files) == 1 else None
            click.echo(json.dumps(d.to_dict(), ensure_ascii=False, indent=indent))
        else:
            if i:
                click.echo()
            click.echo(decision_text(d))
    if bad:
        click.echo(f"{bad} 个文件无法审查", err=True)
        sys.exit(EXIT_INPUT)


@cli.command()
@click.argument("what", type=click.Choice(["case", "rules", "decision"]))
def schema(what: str) -> None:
    """输出项目文件（case）、规则文件（rules）或审查决定（decision，check --format json 的输出）的 JSON Schema。

    模式由程序生成，不读取任何规则集，所以没有 --rules。"""
    schemas = {"case": lambda: ProjectFile.model_json_schema(by_alias=True), "rules": rules_schema, "decision": decision_schema}
    doc = schemas[what]()
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
