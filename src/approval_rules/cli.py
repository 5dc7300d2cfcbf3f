"""The command line: parse arguments, call the library, print, set the exit code.

Exit codes: 0 done; 1 lint errors or failing cases; 2 bad input or usage; 3 internal error.
Errors go to stderr in Chinese, never as a Python traceback.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
import sys
from pathlib import Path

import click

from . import __version__
from .bundled import cases_dir, rules_dir
from .casetest import run_cases
from .compiler import RuleBook, compile_rules
from .decision import DECISION_ZH
from .diagnostics import ApprovalRulesError, ProjectFileError, RulesError
from .engine import evaluate
from .loader import load_project, load_rules
from .project import ProjectFile
from .render import decision_text, finding_text
from .ruleset import RuleFile, RuleSetHeader
from .screening import screen as screen_files

EXIT_FAIL, EXIT_INPUT, EXIT_INTERNAL = 1, 2, 3


class InputError(click.ClickException):
    exit_code = EXIT_INPUT

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(self.message, err=True)


def _date(ctx, param, value):  # noqa: ANN001 - click callback
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期「{value}」无效，应写成 YYYY-MM-DD") from None


rules_option = click.option(
    "--rules", "rules_path", type=click.Path(file_okay=False), default=None,
    help="规则集目录（缺省：随包附带的规则集）",
)
as_of_option = click.option("--as-of", callback=_date, default=None, help="按该日施行的规则审查（YYYY-MM-DD）")


def _book(rules_path: str | None) -> RuleBook:
    try:
        return compile_rules(load_rules(rules_path or rules_dir()))
    except RulesError as exc:
        raise InputError("规则集有错误，无法审查：\n" + exc.render()) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="approval-rules")
def cli() -> None:
    """安全生产行政许可审查规则引擎（approval-rules）。"""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="输出格式")
@rules_option
@as_of_option
def check(files: tuple[str, ...], fmt: str, rules_path: str | None, as_of: _dt.date | None) -> None:
    """审查项目文件，输出决定和理由（多个文件时 JSON 按行输出）。"""
    book = _book(rules_path)
    bad = 0
    for i, name in enumerate(files):
        try:
            loaded = load_project(name)
            d = evaluate(book, loaded.project, as_of, case_id=loaded.project.case_id or Path(name).stem)
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
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table", help="输出格式")
@rules_option
@as_of_option
def screen(paths: tuple[str, ...], fmt: str, rules_path: str | None, as_of: _dt.date | None) -> None:
    """批量审查（缺省：随包附带的案例），输出决定表和统计。"""
    book = _book(rules_path)
    targets = paths or (str(cases_dir()),)
    missing = [p for p in targets if not Path(p).exists()]
    if missing:
        raise InputError("找不到输入：" + "、".join(missing))
    counts: dict[str, int] = {}
    writer = _CsvEcho() if fmt == "csv" else None
    if writer:
        writer.writerow(["case_id", "decision", "findings", "source"])
    for row in screen_files(book, targets, as_of):
        counts[row.status] = counts.get(row.status, 0) + 1
        d = row.decision
        ids = " ".join(f.rule_id for f in d.findings) if d else ""
        if fmt == "jsonl":
            obj = d.to_dict() if d else {"source": row.source, "error": [e.to_dict() for e in row.errors]}
            click.echo(json.dumps(obj, ensure_ascii=False))
        elif writer:
            writer.writerow([d.case_id if d else "", row.status, ids, row.source])
        else:
            label = DECISION_ZH.get(row.status, "输入有误")
            case = d.case_id if d else Path(row.source).name
            click.echo(f"{case:<44} {label:<8} {ids}")
            for e in row.errors:
                click.echo("    " + e.render().replace("\n", "\n    "))
    summary = "，".join(f"{DECISION_ZH.get(k, '输入有误')} {v}" for k, v in sorted(counts.items()))
    click.echo(f"共 {sum(counts.values())} 件：{summary}", err=fmt != "table")
    if counts.get("error"):
        click.echo(f"{counts['error']} 个文件无法审查", err=True)
        sys.exit(EXIT_INPUT)


class _CsvEcho:
    """CSV rows through click.echo, so they interleave correctly with other output."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")

    def writerow(self, row: list[str]) -> None:
        self.writer.writerow(row)
        click.echo(self.buffer.getvalue(), nl=False)
        self.buffer.seek(0)
        self.buffer.truncate()


@cli.command()
@click.argument("rules", required=False, type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def lint(rules: str | None, fmt: str) -> None:
    """检查规则集，列出全部错误（file:line:col）。"""
    try:
        book = compile_rules(load_rules(rules or rules_dir()))
    except RulesError as exc:
        if fmt == "json":
            click.echo(json.dumps([d.to_dict() for d in exc.diagnostics], ensure_ascii=False, indent=2))
        else:
            click.echo(exc.render())
            click.echo(f"共 {len(exc.diagnostics)} 个错误", err=True)
        sys.exit(EXIT_FAIL)
    if fmt == "json":
        click.echo("[]")
    else:
        click.echo(f"规则检查通过：{len(book.rulesets)} 个规则集，{len(book.rules)} 条规则")


@cli.command(name="test")
@click.argument("cases", nargs=-1, type=click.Path())
@rules_option
def test_cmd(cases: tuple[str, ...], rules_path: str | None) -> None:
    """运行案例（expect 块），与预期不符时失败。"""
    book = _book(rules_path)
    results = run_cases(book, cases or (str(cases_dir()),))
    failed = [r for r in results if not r.ok]
    for r in failed:
        click.echo(f"{r.where}: 不通过")
        for p in r.problems:
            click.echo(f"    {p}")
        for e in r.errors:
            click.echo("    " + e.render().replace("\n", "\n    "))
        if r.decision:
            for i, f in enumerate(r.decision.findings, 1):
                click.echo("    " + finding_text(i, f).replace("\n", "\n    "))
    click.echo(f"案例 {len(results)} 个：通过 {len(results) - len(failed)}，不通过 {len(failed)}")
    if failed or not results:
        sys.exit(EXIT_FAIL)


@cli.command()
@click.argument("what", type=click.Choice(["case", "rules"]))
def schema(what: str) -> None:
    """输出项目文件（case）或规则文件（rules）的 JSON Schema。"""
    if what == "case":
        doc = ProjectFile.model_json_schema(by_alias=True)
    else:
        doc = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "approval-rules 规则文件",
            "anyOf": [RuleSetHeader.model_json_schema(by_alias=True), RuleFile.model_json_schema(by_alias=True)],
        }
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


_USAGE_ZH = [
    (re.compile(r"Missing argument '([^']+)'"), "缺少参数 {0}"),
    (re.compile(r"No such command '([^']+)'"), "没有命令「{0}」"),
    (re.compile(r"No such option: (\S+)"), "没有选项 {0}"),
    (re.compile(r"Option '([^']+)' requires an argument"), "选项 {0} 需要一个值"),
    (re.compile(r"Invalid value for '([^']+)': '([^']*)' is not one of (.*)\."), "选项 {0} 的值「{1}」无效，可选：{2}"),
    (re.compile(r"Invalid value for '([^']+)': (.*)"), "{0} 的值无效：{1}"),
    (re.compile(r"Got unexpected extra arguments? \((.*)\)"), "多余的参数：{0}"),
]


def _usage_zh(message: str) -> str:
    for pattern, zh in _USAGE_ZH:
        m = pattern.search(message)
        if m:
            return zh.format(*m.groups())
    return message


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("已中断", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        click.echo(f"用法错误：{_usage_zh(exc.format_message())}", err=True)
        click.echo("用 approval-rules --help 查看用法", err=True)
        sys.exit(EXIT_INPUT)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ApprovalRulesError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_INPUT)
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        click.echo(f"内部错误（请报告给开发人员）：{type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_INTERNAL)
