"""The command line: parse arguments, call the library, print, set the exit code.

Exit codes: 0 done; 1 lint errors or failing cases; 2 bad input or usage; 3 internal error.
Errors go to stderr in Chinese, never as a Python traceback. ``main`` is the console script;
each command group is a module (``check``, ``screen``, ``authoring``) adding its commands to ``cli``.
"""

from __future__ import annotations

import re
import sys

import click

from ..core.diagnostics import ApprovalRulesError
from . import authoring, check, migrate, screen, serve  # noqa: F401 - each module adds its commands to the group
from .common import EXIT_INPUT, EXIT_INTERNAL, cli


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
