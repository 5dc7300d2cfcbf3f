"""The command line: parse arguments, call the library, print, set the exit code.

Exit codes: 0 done; 1 lint errors or failing cases; 2 bad input or usage; 3 internal error.
Errors go to stderr in Chinese, never as a Python traceback.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import sqlite3
import sys
from pathlib import Path

import click

from .. import __version__
from ..core.bundled import cases_dir, rules_dir
from ..authoring.casetest import coverage_of_cases, run_cases
from ..authoring.catalogue import html_document as catalogue_html
from ..authoring.catalogue import markdown as catalogue_markdown
from ..authoring.coverage import render_text as coverage_text
from ..engine.book import RuleBook
from ..engine.compiler import compile_rules
from ..core.diagnostics import ApprovalRulesError, ProjectFileError, RulesError
from ..engine.backends import BACKENDS, make_backend
from ..engine.evaluator import Backend, BackendUnavailable, evaluate
from ..authoring.explain import explain as explain_case
from ..authoring.explain import render_text as explain_text
from ..batch.exports import FORMATS as EXPORT_FORMATS
from ..batch.exports import Writer as ExportWriter
from ..batch.inputs import count as inputs_count
from ..batch.inputs import iter_items as iter_inputs
from ..batch.inputs import missing as missing_inputs
from ..authoring.lint import lint as lint_rules
from ..ruleset.loader import load_project, load_rules
from ..batch.progress import Progress
from ..model.project import ProjectFile
from ..engine.render import decision_text, finding_text
from ..batch.report import DEFAULT_LIMIT as DEFAULT_REPORT_LIMIT
from ..batch.report import html_report
from ..authoring.rulediff import diff as rule_diff
from ..authoring.rulediff import render_text as rule_diff_text
from ..ruleset.rules_schema import rules_schema
from ..batch.screening import Batch as ScreenBatch
from ..batch.screening import default_jobs, summary_line
from ..batch.store import Store, StoreError
from ..batch.store import default_path as default_db_path
from ..batch.synthetic import Generator, load_templates

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
backend_option = click.option(
    "--backend", "backend_name", type=click.Choice(list(BACKENDS)), default="native", show_default=True,
    help="求值后端：native（编译闭包）、reference（参考解释器）、durable（durable-rules，需安装可选依赖）",
)


def _backend(name: str) -> Backend:
    try:
        return make_backend(name)
    except BackendUnavailable as exc:
        raise InputError(str(exc)) from None


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
@backend_option
def check(files: tuple[str, ...], fmt: str, rules_path: str | None, as_of: _dt.date | None, backend_name: str) -> None:
    """审查项目文件，输出决定和理由（多个文件时 JSON 按行输出）。"""
    book = _book(rules_path)
    backend = _backend(backend_name)
    bad = 0
    for i, name in enumerate(files):
        try:
            loaded = load_project(name)
            d = evaluate(book, loaded.project, as_of, case_id=loaded.project.case_id or Path(name).stem, backend=backend)
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
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default=None,
              help="输出格式（缺省：table；-o 的文件名以 .jsonl/.csv 结尾时按文件名）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None, help="输出到文件（缺省：标准输出）")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=False, help="并行进程数（缺省 0：全部 CPU 核）")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="结果库（SQLite）路径（缺省：-o 文件旁的同名 .sqlite；输出到标准输出时为 ./approval-rules.sqlite）")
@click.option("--no-db", is_flag=True, help="不写结果库")
@click.option("--resume", is_flag=True, help="跳过结果库中已按相同规则、相同内容审查过的案卷")
@click.option("--progress/--no-progress", "show_progress", default=None, help="显示进度（缺省：仅在终端上显示）")
@rules_option
@as_of_option
@backend_option
def screen(
    paths: tuple[str, ...], fmt: str | None, output: str | None, jobs: int, db_path: str | None, no_db: bool,
    resume: bool, show_progress: bool | None, rules_path: str | None, as_of: _dt.date | None, backend_name: str,
) -> None:
    """批量审查：文件、目录（递归）、通配符、JSON Lines 文件或 -（标准输入）（缺省：随包附带的案例）。

    结果按 --format 输出，同时写入结果库；最后一行统计各决定的件数、输入有误的件数和速度。
    """
    targets = list(paths) or [str(cases_dir())]
    missing = missing_inputs(targets)
    if missing:
        raise InputError("找不到输入：" + "、".join(missing))
    if resume and no_db:
        raise click.UsageError("--resume 需要结果库，不能与 --no-db 同用")
    fmt = fmt or {".jsonl": "jsonl", ".csv": "csv"}.get(Path(output).suffix.lower() if output else "", "table")
    rules = str(rules_path or rules_dir())
    book = _book(rules)
    _backend(backend_name)  # fail early, in Chinese, if the backend cannot be used here
    to_file = output not in (None, "-")
    try:
        store = None if no_db else Store(db_path or default_db_path(output))
    except StoreError as exc:
        raise InputError(str(exc)) from None
    try:
        out = open(output, "w", encoding="utf-8", newline="") if to_file else sys.stdout  # noqa: SIM115
    except OSError as exc:
        if store is not None:
            store.close()
        raise InputError(f"无法写入输出文件 {output}：{exc.strerror or exc}") from None
    bar = Progress(sys.stderr, inputs_count(targets) if sys.stderr.isatty() or show_progress else None, show_progress)
    try:
        writer = ExportWriter(fmt, out, lambda row: batch.rulesets_json)
        batch = ScreenBatch(
            book, rules, as_of=as_of, jobs=jobs or default_jobs(), backend=backend_name, store=store, resume=resume,
            argv=sys.argv[1:], on_row=writer.write, progress=bar.update,
        )
        summary = batch.run(iter_inputs(targets))
    finally:
        bar.close()
        if to_file:
            out.close()
        else:
            out.flush()
        if store is not None:
            store.close()
    click.echo(summary_line(summary), err=True)
    if store is not None:
        click.echo(f"结果库：{store.path}（第 {summary.run_id} 次运行）", err=True)
    if summary.interrupted:
        click.echo(f"已中断：已审查的 {summary.total} 件已保存；用 --resume 继续", err=True)
        sys.exit(130)
    if summary.broken:
        click.echo(f"内部错误（请报告给开发人员）：工作进程意外退出：{summary.broken}", err=True)
        sys.exit(EXIT_INTERNAL)
    if summary.internal:
        click.echo(f"{summary.internal} 件审查时发生内部错误（请报告给开发人员）", err=True)
        sys.exit(EXIT_INTERNAL)
    if summary.errors:
        click.echo(f"{summary.errors} 个输入无法审查", err=True)
        sys.exit(EXIT_INPUT)


@cli.command()
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="HTML 文件（缺省：结果库旁的同名 .html）")
@click.option("--run", "run_id", type=int, default=None, help="只报告该次运行所含的案卷（缺省：结果库中的全部案卷）")
@click.option("--title", default=None, help="报告标题")
@click.option("--limit", type=click.IntRange(min=0), default=DEFAULT_REPORT_LIMIT, show_default=True,
              help="逐件结果和问题清单最多列出的案卷数（最严重的在前）")
def report(db: str, output: str | None, run_id: int | None, title: str | None, limit: int) -> None:
    """把结果库生成为一个独立的 HTML 报告（不依赖外部脚本、字体或样式表）。"""
    target = Path(output) if output else Path(db).with_suffix(".html")
    try:
        with Store(db, create=False) as store:
            text = html_report(store, run_id=run_id, title=title, limit=limit)
    except StoreError as exc:
        raise InputError(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise InputError(f"结果库 {db} 无法读取：{exc}") from None
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"无法写入报告 {target}：{exc.strerror or exc}") from None
    click.echo(f"报告已写入 {target}", err=True)


@cli.command(hidden=True)
@click.option("-n", "count", type=click.IntRange(min=0), default=1000, help="生成的案卷数")
@click.option("--seed", type=int, default=0, help="随机种子（相同种子、相同模板得到相同结果）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-", help="JSON Lines 文件（缺省：标准输出）")
@click.option("--templates", type=click.Path(exists=True), default=None, help="模板案例目录（缺省：随包附带的案例）")
def generate(count: int, seed: int, output: str, templates: str | None) -> None:
    """生成可复现的合成案卷（JSON Lines），用于基准测试。"""
    gen = Generator(load_templates(templates or cases_dir()), seed)
    try:
        out = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"无法写入输出文件 {output}：{exc.strerror or exc}") from None
    try:
        for line in gen.lines(count):
            out.write(line + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    if output != "-":
        click.echo(f"已生成 {count} 件：{output}", err=True)


@cli.command()
@click.argument("rules", required=False, type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="输出格式")
def lint(rules: str | None, fmt: str) -> None:
    """检查规则集：全部错误和警告（file:line:col），有错误时退出码为 1。"""
    report = lint_rules(rules or rules_dir())
    if fmt == "json":
        click.echo(json.dumps(
            {"diagnostics": [d.to_dict() for d in report.diagnostics], "errors": len(report.errors),
             "warnings": len(report.warnings), "unverified_citations": report.count("W501")},
            ensure_ascii=False, indent=2,
        ))
    else:
        for d in report.diagnostics:
            click.echo(d.render())
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
def test_cmd(
    cases: tuple[str, ...], with_coverage: bool, minimum: float | None, fmt: str, rules_path: str | None, backend_name: str
) -> None:
    """运行案例（expect 块），与预期不符时失败；--coverage 报告覆盖率。"""
    book = _book(rules_path)
    paths = cases or (str(cases_dir()),)
    results = run_cases(book, paths, _backend(backend_name))
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
        report = coverage_of_cases(book, paths)
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
@click.option("--rule", "rule_id", default=None, help="只解释该规则")
@click.option("--all", "include_all", is_flag=True, help="也列出不适用的规则")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="输出格式")
@rules_option
@as_of_option
@backend_option
def explain(
    file: str, rule_id: str | None, include_all: bool, fmt: str, rules_path: str | None, as_of: _dt.date | None,
    backend_name: str,
) -> None:
    """逐条解释：每条适用规则的条件树、各子条件的值、读取的事实、位置和结论。"""
    book = _book(rules_path)
    try:
        project = load_project(file).project
    except ProjectFileError as exc:
        raise InputError(f"项目文件有错误，无法审查：{file}\n{exc.render()}") from None
    if rule_id is not None and not book.rule(rule_id):
        raise InputError(f"没有规则「{rule_id}」")
    backend = None if backend_name == "native" else _backend(backend_name)
    report = explain_case(book, project, as_of, rule_id, include_all, backend)
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
    """比较两版规则：规则的增删改（按含义），以及哪些案卷的决定或问题改变；决定改变时退出码为 1。"""
    result = rule_diff(_book(old_rules), _book(new_rules), cases or (str(cases_dir()),))
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(rule_diff_text(result))
    if result.decisions_changed:
        sys.exit(EXIT_FAIL)


@cli.command()
@click.argument("what", type=click.Choice(["case", "rules"]))
def schema(what: str) -> None:
    """输出项目文件（case）或规则文件（rules）的 JSON Schema。"""
    doc = ProjectFile.model_json_schema(by_alias=True) if what == "case" else rules_schema()
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
