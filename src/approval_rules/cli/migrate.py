"""``migrate``: rewrite project files of an older format into the current one."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import yaml

from ..model.migrate import CURRENT, migrate_json, migrate_jsonl, migrate_yaml
from ..core.diagnostics import os_error_zh
from .common import EXIT_FAIL, EXIT_INPUT, cli


def _migrated(path: Path, text: str) -> str:
    if path.suffix == ".jsonl":
        return migrate_jsonl(text)
    if path.suffix == ".json":
        return migrate_json(text)
    return migrate_yaml(text, yaml.safe_load(text) or {})


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--check", is_flag=True, help="只检查：有文件需要迁移时以退出码 1 结束，不改写")
@click.option("--stdout", "to_stdout", is_flag=True, help="把迁移后的内容输出到标准输出，不改写文件")
def migrate(files: tuple[str, ...], check: bool, to_stdout: bool) -> None:
    """把旧格式的项目文件改写为当前格式（格式2），含义不变。

    格式1的列表（人员、设施、工艺、设备）一律视为完整名单；改写时写上 format_version 和
    相应的 *_complete: true。YAML 文件的注释和排版保持不变。"""
    changed = bad = 0
    for name in files:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
            new = _migrated(path, text)
        except OSError as exc:
            click.echo(f"{name}: 无法迁移：{os_error_zh(exc)}", err=True)
            bad += 1
            continue
        except UnicodeDecodeError:
            click.echo(f"{name}: 无法迁移：不是 UTF-8 编码的文本文件", err=True)
            bad += 1
            continue
        except (ValueError, yaml.YAMLError, AttributeError) as exc:
            click.echo(f"{name}: 无法迁移：文件内容无法解析（{type(exc).__name__}: {exc}）", err=True)
            bad += 1
            continue
        if new == text:
            continue
        changed += 1
        if to_stdout:
            click.echo(new, nl=False)
        elif check:
            click.echo(f"{name}: 需要迁移到格式 {CURRENT}")
        else:
            path.write_text(new, encoding="utf-8")
            click.echo(f"{name}: 已迁移到格式 {CURRENT}", err=True)
    click.echo(f"共 {len(files)} 个文件，{'需要迁移' if check else '迁移'} {changed} 个，无法迁移 {bad} 个", err=True)
    if bad:
        sys.exit(EXIT_INPUT)
    if check and changed:
        sys.exit(EXIT_FAIL)
