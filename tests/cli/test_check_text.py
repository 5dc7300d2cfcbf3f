"""``check``'s text: the reasons, then one numbered 补正 list with its legal basis, then the reviewer's 待核查事项."""

from __future__ import annotations

import re

from approval_rules.cli import cli

from conftest import bundled_cases

MISSING = bundled_cases() / "high-risk-entry" / "needs_correction-hazchem-missing-materials-and-filings.yaml"
DEATH = bundled_cases() / "licence-renewal" / "refer-death-accident-during-validity-full-review.yaml"


def _section(text: str, head: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(head))
    out = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        out.append(line)
    return out


def test_one_numbered_correction_list_after_the_reasons_each_item_once_with_its_basis(runner):
    r = runner.invoke(cli, ["check", str(MISSING)])
    assert r.exit_code == 0
    text = r.stdout
    assert text.index("理由：") < text.index("补正材料通知（一次告知")
    section = _section(text, "补正材料通知（一次告知")
    items = [line.strip() for line in section if re.match(r"  \d+\. ", line)]
    basis = [line.strip() for line in section if line.startswith("     依据：")]
    assert [int(i.split(".")[0]) for i in items] == list(range(1, len(items) + 1))
    assert len(items) == len(basis) == len({i.split(". ", 1)[1] for i in items})
    # materials by their Chinese name, then what to put right, pointing at the reason that says why
    assert "1. 提交：安全生产费用提取和使用情况证明" in items
    assert any(i.startswith(f"{len(items)}. 改正：") and "（见理由" in i for i in items)
    assert all("《" in b and "（规则 " in b for b in basis)
    assert "《安全生产许可证条例》（2014年7月29日施行版本）第七条第一款" in basis[0]


def test_the_reviewers_checklist_is_separate_and_cited(runner):
    r = runner.invoke(cli, ["check", str(DEATH)])
    assert "补正材料通知" not in r.stdout
    assert _section(r.stdout, "待核查事项（由审查机关核查，不要求申请人补正）") == [
        "  1. 延期全面审查结论·全面审查结论",
        "     依据：《安全生产许可证条例》（2014年7月29日施行版本）第九条第二款、第六条、第七条第一款（规则 TS-LIC-VAL-005-C）",
    ]
