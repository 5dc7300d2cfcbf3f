"""The command line: every command's output and exit code, errors in Chinese, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from approval_rules.cli import cli

RULES = """
rules:
  - id: T-1
    title: 许可证须有效
    digest: TS-LIC-SUP-001
    effective: {from: 2015-01-01}
    when: application.kind == "licence_extension"
    require: licence.status == "valid"
    effect: reject
    message: 许可证状态为{licence.status}
    cite: [{source: licence-regulation, article: 14, verified: true}]
"""
GOOD = """case_id: good
application: {kind: licence_extension, submitted_date: 2024-03-15}
enterprise: {industry: coal_mine}
licence: {status: valid}
expect: {decision: approve, findings: []}
"""
BAD = GOOD.replace("status: valid", "status: revoked").replace("case_id: good", "case_id: bad").replace(
    "{decision: approve, findings: []}", "{decision: reject, findings: [T-1]}"
)


@pytest.fixture()
def env(rule_set, tmp_path):
    rules = rule_set(RULES)
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "good.yaml").write_text(GOOD, encoding="utf-8")
    (cases / "bad.yaml").write_text(BAD, encoding="utf-8")
    return rules, cases


def test_check_text_and_json(runner, env):
    rules, cases = env
    r = runner.invoke(cli, ["check", "--rules", str(rules), str(cases / "bad.yaml")])
    assert r.exit_code == 0
    assert "不予许可" in r.output and "《安全生产许可证条例》" in r.output and "第十四条" in r.output
    r = runner.invoke(cli, ["check", "--rules", str(rules), "--format", "json", str(cases / "bad.yaml")])
    d = json.loads(r.stdout)
    assert d["decision"] == "reject" and d["findings"][0]["rule_id"] == "T-1"


def test_check_several_files_gives_json_lines(runner, env):
    rules, cases = env
    r = runner.invoke(cli, ["check", "--rules", str(rules), "--format", "json", str(cases / "good.yaml"), str(cases / "bad.yaml")])
    assert [json.loads(line)["decision"] for line in r.stdout.splitlines()] == ["approve", "reject"]


def test_check_invalid_project_file_exits_2_and_keeps_going(runner, env, tmp_path):
    rules, cases = env
    broken = tmp_path / "broken.yaml"
    broken.write_text("application: {kind: nope, submitted_date: 2024-01-01}\nenterprise: {industry: coal_mine}\n", encoding="utf-8")
    r = runner.invoke(cli, ["check", "--rules", str(rules), str(broken), str(cases / "good.yaml")])
    assert r.exit_code == 2
    assert "准予许可" in r.output
    assert "E204" in r.output and "broken.yaml:1:21" in r.output


def test_lint_ok_and_failing(runner, env, rule_set):
    rules, _ = env
    r = runner.invoke(cli, ["lint", str(rules)])
    assert r.exit_code == 0 and "1 条规则：0 个错误" in r.output
    (rules / "20-bad.yaml").write_text(RULES.replace("T-1", "T-2").replace("licence.status", "licence.statu"), encoding="utf-8")
    r = runner.invoke(cli, ["lint", str(rules)])
    assert r.exit_code == 1
    assert "20-bad.yaml:8:14: error E302" in r.output and "是否指「licence.status」？" in r.output
    r = runner.invoke(cli, ["lint", "--format", "json", str(rules)])
    data = json.loads(r.stdout)
    assert [d["code"] for d in data["diagnostics"]] == ["E302", "E309"]  # the condition and the message, at once


def test_test_command_passes_and_fails(runner, env):
    rules, cases = env
    r = runner.invoke(cli, ["test", "--rules", str(rules), str(cases)])
    assert r.exit_code == 0 and "通过 2" in r.output
    (cases / "wrong.yaml").write_text(GOOD.replace("case_id: good", "case_id: wrong").replace("status: valid", "status: suspended"), encoding="utf-8")
    r = runner.invoke(cli, ["test", "--rules", str(rules), str(cases)])
    assert r.exit_code == 1
    assert "wrong.yaml:5: 不通过" in r.output and "决定应为准予许可，实际为不予许可" in r.output


def test_screen_table_csv_and_a_corrupt_file(runner, env):
    rules, cases = env
    (cases / "corrupt.yaml").write_text("application: [\n", encoding="utf-8")
    r = runner.invoke(cli, ["screen", "--no-db", "--rules", str(rules), str(cases)])
    assert r.exit_code == 2
    assert "good" in r.output and "bad" in r.output and "E101" in r.output
    assert "共 3 件" in r.output
    r = runner.invoke(cli, ["screen", "--no-db", "--rules", str(rules), "--format", "csv", str(cases / "good.yaml")])
    assert r.output.splitlines()[0] == "case_id,decision,decision_zh,findings,source"


def test_broken_rules_are_bad_input_for_check(runner, env, tmp_path):
    rules, cases = env
    (rules / "20-bad.yaml").write_text("rules: [", encoding="utf-8")
    r = runner.invoke(cli, ["check", "--rules", str(rules), str(cases / "good.yaml")])
    assert r.exit_code == 2 and "规则集有错误" in r.output


def test_schema_commands(runner):
    case = json.loads(runner.invoke(cli, ["schema", "case"]).stdout)
    assert "application" in case["properties"]
    rules = json.loads(runner.invoke(cli, ["schema", "rules"]).stdout)
    assert rules["anyOf"]


@pytest.mark.parametrize("args", [["chek"], ["check"], ["check", "--as-of", "2024-13-01", "x.yaml"], ["screen", "/no/such/dir"]])
def test_usage_errors_exit_2_in_chinese_without_traceback(args):
    p = subprocess.run([sys.executable, "-m", "approval_rules", *args], capture_output=True, text=True)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and any("\u4e00" <= ch <= "\u9fff" for ch in p.stderr)


def test_a_bad_date_does_not_hide_the_files_other_problems(runner, env, tmp_path):
    rules, _ = env
    case = tmp_path / "case.yaml"
    case.write_text(GOOD.replace("2024-03-15}", "2024-13-01, submited: x}").replace("case_id: good", "case_id: [good]"), encoding="utf-8")
    r = runner.invoke(cli, ["check", "--rules", str(rules), str(case)])
    assert r.exit_code == 2
    assert [line.split(": error ")[1][:4] for line in r.stderr.splitlines() if ": error " in line] == ["E203", "E205", "E202"]
    (rules / "20-bad.yaml").write_text(
        RULES.replace("T-1", "T-2").replace("{from: 2015-01-01}", "{from: 2015-13-01}").replace("    require:", "    requir:")
        .replace("message: 许可证状态为{licence.status}", "message: [1]"), encoding="utf-8")
    r = runner.invoke(cli, ["lint", str(rules)])
    assert r.exit_code == 1
    assert "set/20-bad.yaml:6:23: error E205" in r.output
    assert "set/20-bad.yaml:8:5: error E202" in r.output and "是否指「require」" in r.output
    assert "set/20-bad.yaml:10:14: error E203" in r.output
