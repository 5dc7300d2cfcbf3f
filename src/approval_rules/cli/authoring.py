"""The rule writers' commands: ``lint``, ``test``, ``explain``, ``doc`` (the catalogue) and ``diff``."""

from __future__ import annotations

import datetime as _dt
import json
import sys
from pathlib import Path

import click

from ..authoring.casetest import coverage_of_cases, run_cases
from ..authoring.catalogue import html_document as catalogue_html
from ..authoring.catalogue import markdown as catalogue_markdown
from ..authoring.coverage import render_text as coverage_text
from ..authoring.explain import explain as explain_case
from ..authoring.explain import render_text as explain_text
from ..authoring.lint import lint as lint_rules
from ..authoring.rulediff import diff as rule_diff
from ..authoring.rulediff import render_text as rule_diff_text
from ..core.diagnostics import ProjectFileError
from ..engine.render import finding_text
from ..ruleset.loader import load_project
from ..ruleset.profile import Profile
from .common import (
    EXIT_FAIL, InputError, _backend, _book, as_of_option, backend_option, cli, profile_option, rules_option, sources,
    strict_option, with_strict,
)


@cli.command()
@click.argument("rules", required=False, type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="输出格式")
@click.option("--show-unverified", is_flag=True, help="逐条列出未核实的引用（W501；缺省只给一行汇总）")
@rules_option
def lint(rules: str | None, fmt: str, show_unverified: bool, rules_path: str | None) -> None:
    """检查规则集：全部错误和警告（file:line:col），有错误时退出码为 1。

    规则集目录可写作 --rules 目录（与其他命令相同），也可直接写在命令后；
    都不写时检查当前目录或上级目录中的 rules/（第一行注明用的是哪一份）。"""
    if rules and rules_path and rules != rules_path:
        raise click.UsageError("规则集目录给了两个（参数和 --rules），只能给一个")
    report = lint_rules(sources(rules or rules_path, authoring=True)[0])
    if fmt == "json":
        click.echo(json.dumps(
            {"diagnostics": [d.to_dict() for d in report.diagnostics], "errors": len(report.errors),
             "warnings": len(report.warnings), "unverified_citations": report.count("W501")},
            ensure_ascii=False, indent=2,
        ))
    else:
        # Unverified citations are a standing work list, not news: one line unless asked for.
        shown = [d for d in report.diagnostics if show_unverified or d.code != "W501"]
        for d in shown:
            click.echo(d.render())
        hidden = len(report.diagnostics) - len(shown)
        if hidden:
            click.echo(f"未核实的引用 {hidden} 处未逐条列出（用 --show-unverified 列出；核实方法见 docs/rule-language.md）", err=True)
        click.echo(report.summary(), err=bool(report.diagnostics))
    if report.errors:
        sys.exit(EXIT_FAIL)


@cli.command(name="test")
@click.argument("cases", nargs=-1, type=click.Path())
@click.option("--coverage", "with_coverage", is_flag=True, help="报告规则、引用条文和子条件的覆盖率")
@click.option("--min", "minimum", type=click.FloatRange(0, 100), default=None, help="覆盖率低于该百分比时失败")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="覆盖率的输出格式")
@rules_option
@backend_option
@profile_option
@strict_option
def test_cmd(
    cases: tuple[str, ...], with_coverage: bool, minimum: float | None, fmt: str, rules_path: str | None, backend_name: str,
    profile: Profile | None, strict: bool,
) -> None:
    """运行案例（expect 块），与预期不符时失败；--coverage 报告覆盖率。

    不写案例时运行当前目录或上级目录中的 cases/，规则也取该目录的 rules/（第一行注明）。
    案例 expect 中写了 profile 的，按该部署配置审查；否则按 --profile。"""
    rules, paths = sources(rules_path, cases, authoring=True)
    book = _book(rules)
    profile = with_strict(profile, strict)
    results = run_cases(book, paths, _backend(backend_name), profile)
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
    below = False
    if with_coverage or minimum is not None:
        report = coverage_of_cases(book, paths, profile)
        if fmt == "json":
            click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        else:
            click.echo(coverage_text(report))
        if minimum is not None and report.percent() < minimum:
            click.echo(f"覆盖率 {report.percent():.1f}% 低于要求的 {minimum:g}%", err=True)
            below = True
    if failed or not results or below:
        sys.exit(EXIT_FAIL)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--rule", "rule_id", default=None, metavar="规则编号", help="只解释该规则")
@click.option("--all", "include_all", is_flag=True, help="也列出不适用的规则")
@click.option("--only-decisive", is_flag=True, help="只解释决定性规则（得出本决定的规则）")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="输出格式")
@rules_option
@as_of_option
@backend_option
@profile_option
@strict_option
def explain(
    file: str, rule_id: str | None, include_all: bool, only_decisive: bool, fmt: str, rules_path: str | None,
    as_of: _dt.date | None, backend_name: str, profile: Profile | None, strict: bool,
) -> None:
    """解释决定：先列决定和决定性规则（及其告知内容），再逐条列出每条适用规则的条件树、
    各子条件的值、读取的事实（附中文名称）、位置（文件:行:列）和结论。"""
    book = _book(rules_path)
    try:
        project = load_project(file).project
    except ProjectFileError as exc:
        raise InputError(f"项目文件有错误，无法审查：{file}\n{exc.render()}") from None
    if rule_id is not None and not book.rule(rule_id):
        raise InputError(f"没有规则「{rule_id}」")
    backend = None if backend_name == "native" else _backend(backend_name)
    report = explain_case(book, project, as_of, rule_id, include_all, backend, with_strict(profile, strict), only_decisive)
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(explain_text(report))


@cli.command()
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default="rule-catalogue", show_default=True,
              help="输出目录（写入 catalogue.md 和 catalogue.html）")
@rules_option
def doc(out_dir: str, rules_path: str | None) -> None:
    """生成规则目录（Markdown 和单个 HTML 文件），按法律和条文编排，供法规审核。"""
    book = _book(rules_path)
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    (target / "catalogue.md").write_text(catalogue_markdown(book), encoding="utf-8")
    (target / "catalogue.html").write_text(catalogue_html(book), encoding="utf-8")
    click.echo(f"已写入 {target / 'catalogue.md'} 和 {target / 'catalogue.html'}（{len(book.rules)} 条规则）")


@cli.command()
@click.argument("old_rules", type=click.Path(file_okay=False, exists=True))
@click.argument("new_rules", type=click.Path(file_okay=False, exists=True))
@click.argument("cases", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="输出格式")
def diff(old_rules: str, new_rules: str, cases: tuple[str, ...], fmt: str) -> None:
    """比较两版规则：规则的增删改（按含义），以及哪些案卷的决定或问题改变；决定改变时退出码为 1。

    两版规则都写在命令后（不用 --rules）；不写案卷时用当前目录或上级目录中的 cases/。"""
    paths = sources(new_rules, cases)[1]
    result = rule_diff(_book(old_rules), _book(new_rules), paths)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(rule_diff_text(result))
    if result.decisions_changed:
        sys.exit(EXIT_FAIL)
