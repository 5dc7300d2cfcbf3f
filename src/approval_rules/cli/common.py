"""The ``approval-rules`` click group and what its commands share: exit codes, options, errors, the rule book."""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from pathlib import Path
from typing import IO, Any

import click

from .. import __version__
from ..core.bundled import cases_dir, rules_dir
from ..core.diagnostics import ProjectFileError, RulesError
from ..engine.backends import BACKENDS, make_backend
from ..engine.book import RuleBook
from ..engine.compiler import compile_rules
from ..engine.evaluator import Backend, BackendUnavailable
from ..ruleset.loader import HEADER_FILE, load_rules
from ..ruleset.profile import Profile, load_profile
from . import zh

# Before any command is defined or parses its arguments (also under click's CliRunner in tests).
zh.install()

EXIT_FAIL, EXIT_INPUT, EXIT_INTERNAL = 1, 2, 3


class InputError(click.ClickException):
    exit_code = EXIT_INPUT

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, err=True)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期「{value}」无效，应写成 YYYY-MM-DD") from None


rules_option = click.option(
    "--rules", "rules_path", type=click.Path(file_okay=False), default=None,
    help="规则集目录（缺省：当前目录或上级目录中的 rules/，都没有时用安装包附带的规则集）",
)
as_of_option = click.option("--as-of", callback=_date, default=None, metavar="日期", help="按该日施行的规则审查（YYYY-MM-DD）")
backend_option = click.option(
    "--backend", "backend_name", type=click.Choice(list(BACKENDS)), default="native", show_default=True,
    help="求值后端：native（编译闭包）、reference（参考解释器）、durable（durable-rules，需安装可选依赖）",
)


def _profile(ctx: click.Context, param: click.Parameter, value: str | None) -> Profile | None:
    try:
        return load_profile(value) if value else None
    except ProjectFileError as exc:
        raise InputError("部署配置文件有错误：\n" + exc.render()) from None


profile_option = click.option(
    "--profile", "profile", callback=_profile, default=None, type=click.Path(dir_okay=False),
    help="部署配置文件（受理机关、是否严格模式），见 profiles/ 示例",
)
strict_option = click.option(
    "--strict", is_flag=True, default=False,
    help="严格模式：不使用规则文件声明的推定，相关事实列为待核查事项并转人工审查",
)


def with_strict(profile: Profile | None, strict: bool) -> Profile | None:
    """The profile, switched to strict mode when ``--strict`` is given."""
    if not strict:
        return profile
    return (profile or Profile()).model_copy(update={"strict": True})


def _backend(name: str) -> Backend:
    try:
        return make_backend(name)
    except BackendUnavailable as exc:
        raise InputError(str(exc)) from None


def working_copy(start: Path) -> Path | None:
    """The nearest directory from ``start`` upward holding ``rules/<set>/ruleset.yaml``: a project being edited."""
    for d in (start, *start.parents):
        if any((d / "rules").glob(f"*/{HEADER_FILE}")):
            return d
    return None


def _same(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def sources(rules_path: str | None, cases: tuple[str, ...] | None = None, *, authoring: bool = False) -> tuple[str, tuple[str, ...]]:
    """The rules (and, unless ``cases`` is None, the cases) a command reads, saying which on stderr.

    What is given wins. Otherwise the working copy (``working_copy``) comes before the copy in the
    installed package: after ``pip install .`` that copy is frozen, and a rule writer who edits
    rules/ must see the edit checked. Working-copy paths are relative to the current directory, so
    case files are named as the writer sees them. ``authoring`` commands also say when the
    installed copy is used.
    """
    wants_cases = cases == ()
    project = working_copy(Path.cwd()) if rules_path is None or wants_cases else None
    rules, chosen = rules_path, cases or ()
    used: list[tuple[str, str]] = []
    bundled: list[str] = []
    if rules is None:
        if project is not None:
            rules = os.path.relpath(project / "rules")
            used.append(("规则", rules))
        else:
            rules = str(rules_dir())
            bundled.append("规则")
    if wants_cases:
        if project is not None:
            if not (project / "cases").is_dir():
                raise InputError(f"项目目录「{os.path.relpath(project)}」中有 rules/ 而没有 cases/：请在命令后写出案例文件或目录")
            chosen = (os.path.relpath(project / "cases"),)
            used.append(("案例", chosen[0]))
        else:
            chosen = (str(cases_dir()),)
            bundled.append("案例")
    # In a source checkout (or an editable install) the working copy is the package's own: nothing to tell apart.
    if used and project is not None and not _same(project / "rules", rules_dir()):
        where = "当前目录" if _same(project, Path.cwd()) else "上级目录"
        named = "、".join(p + "/" for _, p in used)
        click.echo(f"使用{where}的{'和'.join(k for k, _ in used)}：{named}（不是安装包中的副本）", err=True)
    elif bundled and authoring:
        click.echo(f"使用安装包附带的{'和'.join(bundled)}（当前目录及上级目录中没有 rules/*/{HEADER_FILE}）", err=True)
    return rules, chosen


def _book(rules_path: str | None) -> RuleBook:
    """The compiled rules at ``rules_path``, or at the default that ``sources`` chooses."""
    try:
        return compile_rules(load_rules(rules_path or sources(None)[0]))
    except RulesError as exc:
        raise InputError("规则集有错误，无法审查：\n" + exc.render()) from None


def sqlite_error_zh(exc: sqlite3.DatabaseError) -> str:
    if "file is not a database" in str(exc):
        return "不是 SQLite 数据库文件（文件已损坏或是别的格式）"
    return f"数据库错误：{exc}"


class Command(click.Command):
    """A command whose usage line reads 用法：approval-rules check [选项] FILES…"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class Group(click.Group):
    command_class = Command
    group_class = type  # nested groups (bundle, token) are Groups like this one

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]…")
        super().__init__(*args, **kwargs)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="approval-rules")
def cli() -> None:
    """安全生产行政许可审查规则引擎（approval-rules）。"""
