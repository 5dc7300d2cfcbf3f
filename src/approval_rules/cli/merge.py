"""``merge``: one results store from the stores of several ``screen`` runs (``--shard``, other machines)."""

from __future__ import annotations

import sys

import click

from ..batch.merge import MergeError, merge
from ..batch.store import StoreError
from .common import EXIT_FAIL, InputError, cli

_DECISION_ZH = {"approve": "准予许可", "reject": "不予许可", "needs_correction": "需补正材料", "refer": "转人工审查"}


@cli.command(name="merge")
@click.argument("output", type=click.Path(dir_okay=False))
@click.argument("stores", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--allow-mixed-rules", is_flag=True,
              help="允许合并按不同规则审查的结果库（同一案卷以最后作出的决定为准）；缺省拒绝，以免不同规则的决定混在一份报告里")
def merge_command(output: str, stores: tuple[str, ...], allow_mixed_rules: bool) -> None:
    """把多个结果库（如各台机器 screen --shard 的结果）合并为一个，写入 OUTPUT。

    运行记录逐条复制并注明来源；同一案卷（案卷编号与内容相同）以最后作出的决定为准；按相同规则、
    相同日期却作出不同决定的，列为冲突并以退出码 1 结束。先写临时文件，完成后才替换 OUTPUT。
    """
    try:
        result = merge(output, list(stores), allow_mixed_rules=allow_mixed_rules)
    except (MergeError, StoreError) as exc:
        raise InputError(str(exc)) from None
    for where in result.still_running:
        click.echo(f"注意：{where} 仍标为进行中，其结果可能不全", err=True)
    click.echo(f"已合并 {len(dict.fromkeys(stores))} 个结果库：{result.runs} 次运行，读入 {result.read} 行，"
               f"合并后 {result.rows} 件 → {output}", err=True)
    if result.conflict_count:
        for c in result.conflicts:
            click.echo(f"冲突：案卷 {c.case_id} 按相同规则、相同日期，{_place(c.lost)}，{_place(c.kept)}；"
                       f"保留后者", err=True)
        more = result.conflict_count - len(result.conflicts)
        click.echo(f"共 {result.conflict_count} 处冲突" + (f"（另有 {more} 处未列出）" if more > 0 else "")
                   + f"，均记在 {output} 的 merge_conflicts 表中；请查明哪次运行有误后重新审查", err=True)
        sys.exit(EXIT_FAIL)


def _place(where: tuple[str, int, str]) -> str:
    store, run, decision = where
    return f"{store} 第 {run} 次运行为「{_DECISION_ZH.get(decision, decision)}」"
