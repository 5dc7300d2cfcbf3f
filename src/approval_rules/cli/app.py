"""The command line: parse arguments, call the library, print, set the exit code.

Exit codes: 0 done; 1 lint errors or failing cases; 2 bad input or usage; 3 internal error.
Errors go to stderr in Chinese, never as a Python traceback. ``main`` is the console script;
each command group is a module (``check``, ``screen``, ``authoring``) adding its commands to ``cli``.
"""

from __future__ import annotations

import sqlite3
import sys

import click

from ..core.diagnostics import ApprovalRulesError, os_error_zh
from . import authoring, check, merge, migrate, screen, serve  # noqa: F401 - each module adds its commands to the group
from .common import EXIT_INPUT, EXIT_INTERNAL, cli as cli, sqlite_error_zh


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("已中断", err=True)
        sys.exit(130)
    except click.ClickException as exc:  # usage errors too: click words them in Chinese (cli/zh.py)
        exc.show()
        sys.exit(exc.exit_code)
    except ApprovalRulesError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_INPUT)
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(130)
    except OSError as exc:
        click.echo(f"无法读写文件：{os_error_zh(exc)}", err=True)
        sys.exit(EXIT_INPUT)
    except sqlite3.DatabaseError as exc:
        click.echo(sqlite_error_zh(exc), err=True)
        sys.exit(EXIT_INPUT)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        click.echo(f"内部错误（请报告给开发人员）：{type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_INTERNAL)
