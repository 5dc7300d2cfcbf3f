"""The ``approval-rules`` click group and what its commands share: exit codes, options, errors, the rule book."""

from __future__ import annotations

import datetime as _dt

import click

from .. import __version__
from ..core.bundled import rules_dir
from ..core.diagnostics import RulesError
from ..engine.backends import BACKENDS, make_backend
from ..engine.book import RuleBook
from ..engine.compiler import compile_rules
from ..engine.evaluator import Backend, BackendUnavailable
from ..ruleset.loader import load_rules


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
