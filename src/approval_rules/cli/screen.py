"""``screen`` (batch screening into an export and the results store), ``report`` and ``generate``."""

from __future__ import annotations

import datetime as _dt
import sqlite3
import sys
from pathlib import Path
from typing import TextIO, cast

import click

from ..batch.exports import FORMATS as EXPORT_FORMATS
from ..batch.exports import Writer as ExportWriter
from ..batch.inputs import count as inputs_count
from ..batch.inputs import iter_items as iter_inputs
from ..batch.inputs import missing as missing_inputs
from ..batch.progress import Progress
from ..batch.report import html_report
from ..batch.screening import Batch as ScreenBatch
from ..batch.screening import default_jobs, summary_line
from ..batch.shard import Shard, parse_shard
from ..batch.store import Store, StoreError
from ..batch.store import default_path as default_db_path
from ..batch.synthetic import Generator, load_templates
from ..core.bundled import cases_dir
from ..core.diagnostics import os_error_zh
from ..ruleset.profile import Profile
from .common import (
    EXIT_INPUT, EXIT_INTERNAL, InputError, _backend, _book, as_of_option, backend_option, cli, profile_option,
    rules_option, sources, strict_option, with_strict,
)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default=None,
              help="输出格式（缺省：table；-o 的文件名以 .jsonl/.csv 结尾时按文件名）")
@click.option("--excel", is_flag=True, help="CSV 文件开头写入 UTF-8 BOM，供中文 Windows 上的 Excel 直接打开（隐含 --format csv）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None, help="输出到文件（缺省：标准输出）")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=False, help="并行进程数（缺省 0：全部 CPU 核）")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="结果库（SQLite）路径（缺省：-o 文件旁的同名 .sqlite；输出到标准输出时为 ./approval-rules.sqlite）")
@click.option("--no-db", is_flag=True, help="不写结果库")
@click.option("--resume", is_flag=True, help="跳过结果库中已按相同规则、相同内容审查过的案卷")
@click.option("--shard", "shard", metavar="I/N", default=None, callback=lambda ctx, param, value: _shard(value),
              help="只审查第 I 片（共 N 片，从 1 数起）：按案卷内容的哈希分片，同一案卷无论输入顺序、在哪台机器上都落在同一片；"
                   "各片的结果库可用 approval-rules merge 合并")
@click.option("--progress/--no-progress", "show_progress", default=None, help="显示进度（缺省：仅在终端上显示）")
@rules_option
@as_of_option
@backend_option
@profile_option
@strict_option
def screen(
    paths: tuple[str, ...], fmt: str | None, excel: bool, output: str | None, jobs: int, db_path: str | None, no_db: bool,
    resume: bool, shard: Shard | None, show_progress: bool | None, rules_path: str | None, as_of: _dt.date | None, backend_name: str,
    profile: Profile | None, strict: bool,
) -> None:
    """批量审查：文件、目录（递归）、通配符、JSON Lines 文件或 -（标准输入）（缺省：随包附带的案例）。

    结果按 --format 输出，同时写入结果库；最后一行统计各决定的件数、输入有误的件数和速度。
    """
    rules, found = sources(rules_path, paths)
    targets = list(found)
    missing = missing_inputs(targets)
    if missing:
        raise InputError("找不到输入：" + "、".join(missing))
    if resume and no_db:
        raise click.UsageError("--resume 需要结果库，不能与 --no-db 同用")
    if excel and fmt not in (None, "csv"):
        raise click.UsageError("--excel 只用于 CSV，不能与 --format " + fmt + " 同用")
    fmt = fmt or ("csv" if excel else None) or {".jsonl": "jsonl", ".csv": "csv"}.get(Path(output).suffix.lower() if output else "", "table")
    book = _book(rules)
    _backend(backend_name)  # fail early, in Chinese, if the backend cannot be used here
    to_file = output not in (None, "-")
    try:
        store = None if no_db else Store(db_path or default_db_path(output))
    except StoreError as exc:
        raise InputError(str(exc)) from None
    try:
        out: TextIO = open(cast(str, output), "w", encoding="utf-8", newline="") if to_file else sys.stdout  # noqa: SIM115
    except OSError as exc:
        if store is not None:
            store.close()
        raise InputError(f"无法写入输出文件 {output}：{os_error_zh(exc, with_name=False)}") from None
    # A shard's share of the inputs is known only once each is hashed: no total for the bar then.
    counted = shard is None and (sys.stderr.isatty() or show_progress)
    bar = Progress(sys.stderr, inputs_count(targets) if counted else None, show_progress)
    try:
        writer = ExportWriter(fmt, out, lambda row: batch.rulesets_json, excel=excel)
        batch = ScreenBatch(
            book, rules, as_of=as_of, jobs=jobs or default_jobs(), backend=backend_name, store=store, resume=resume,
            profile=with_strict(profile, strict),
            argv=sys.argv[1:], shard=str(shard) if shard else None, on_row=writer.write, progress=bar.update,
        )
        items = iter_inputs(targets)
        summary = batch.run(shard.select(items) if shard else items)
    except StoreError as exc:  # the run could not even be recorded (a full disk)
        click.echo(f"无法开始审查：{exc}", err=True)
        sys.exit(EXIT_INTERNAL)
    finally:
        bar.close()
        try:
            if to_file:
                out.close()
            else:
                out.flush()
        except OSError:
            pass  # the run has already said why the export could not be written
        if store is not None:
            store.close()
    click.echo(summary_line(summary) + (f"；{shard.zh}" if shard else ""), err=True)
    if store is not None:
        click.echo(f"结果库：{store.path}（第 {summary.run_id} 次运行）", err=True)
    if summary.fault:
        click.echo(f"运行异常终止：{summary.fault}；此前审查的 {summary.total} 件已保存", err=True)
        sys.exit(EXIT_INTERNAL)
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


def _shard(value: str | None) -> Shard | None:
    try:
        return parse_shard(value) if value is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command()
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="HTML 文件（缺省：结果库旁的同名 .html）")
@click.option("--run", "run_id", type=int, default=None, help="只报告该次运行所含的案卷（缺省：结果库中的全部案卷）")
@click.option("--title", default=None, help="报告标题")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help="逐件结果最多列出的案卷数（最严重的在前；缺省：全部）")
def report(db: str, output: str | None, run_id: int | None, title: str | None, limit: int | None) -> None:
    """把结果库生成为一个独立的 HTML 报告（不依赖外部脚本、字体或样式表）。"""
    target = Path(output) if output else Path(db).with_suffix(".html")
    try:
        with Store(db, create=False, readonly=True) as store:
            text = html_report(store, run_id=run_id, title=title, limit=limit)
    except StoreError as exc:
        raise InputError(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise InputError(f"结果库 {db} 无法读取：{exc}") from None
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"无法写入报告 {target}：{os_error_zh(exc, with_name=False)}") from None
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
        raise InputError(f"无法写入输出文件 {output}：{os_error_zh(exc, with_name=False)}") from None
    try:
        for line in gen.lines(count):
            out.write(line + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    if output != "-":
        click.echo(f"已生成 {count} 件：{output}", err=True)
