"""The rules a rule writer edits are the rules checked; positions never name where a copy sits."""

from __future__ import annotations

import json
import shutil

import pytest

from approval_rules.cli import cli

from conftest import bundled_cases, bundled_rules

EXACTLY_3_MONTHS = "cases/licence-renewal/approve-direct-extension-filed-exactly-3-months-before-expiry.yaml"
VALIDITY = "rules/licence-renewal/10-validity.yaml"


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """A rule writer's folder: a copy of the bundled rules and the licence-renewal cases, as the current directory."""
    root = tmp_path / "project"
    shutil.copytree(bundled_rules(), root / "rules")
    shutil.copytree(bundled_cases() / "licence-renewal", root / "cases" / "licence-renewal")
    monkeypatch.chdir(root)
    return root


def _edit(root, old: str, new: str) -> None:
    path = root / VALIDITY
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_lint_without_arguments_checks_the_edited_rules_and_says_so_first(runner, project):
    _edit(project, "require: application.submitted_date <= licence.expiry_date - 3 months",
          "require: application.submitted_date <= licence.expiry_dat - 3 months")
    r = runner.invoke(cli, ["lint"])
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == "使用当前目录的规则：rules/（不是安装包中的副本）"
    assert f"{VALIDITY}:28:44: error E302" in r.stdout and "是否指「licence.expiry_date」" in r.stdout
    assert str(project) not in r.output


def test_test_without_arguments_runs_the_projects_cases_on_the_edited_rules(runner, project):
    r = runner.invoke(cli, ["test"])
    assert r.exit_code == 0, r.output
    assert r.stderr.splitlines()[0] == "使用当前目录的规则和案例：rules/、cases/（不是安装包中的副本）"
    assert "案例 81 个：通过 81" in r.stdout
    # "4 months" makes TS-LIC-VAL-002 (a notice) fire in the cases filed exactly 3 months before expiry
    _edit(project, "licence.expiry_date - 3 months\n", "licence.expiry_date - 4 months\n")
    r = runner.invoke(cli, ["test"])
    assert r.exit_code == 1
    assert f"{EXACTLY_3_MONTHS}:" in r.stdout and "TS-LIC-VAL-002" in r.stdout
    assert str(project) not in r.output


def test_a_subdirectory_uses_the_project_above(runner, project, monkeypatch):
    (project / "notes").mkdir()
    monkeypatch.chdir(project / "notes")
    r = runner.invoke(cli, ["lint", "--format", "json"])
    assert r.exit_code == 0
    assert r.stderr.splitlines()[0] == "使用上级目录的规则：../rules/（不是安装包中的副本）"
    files = {d["file"] for d in json.loads(r.stdout)["diagnostics"]}
    assert files and all(f.startswith("rules/") for f in files)


def test_given_rules_and_cases_win_over_the_working_copy(runner, project, tmp_path):
    _edit(project, "licence.expiry_date - 3 months\n", "licence.expiry_date - 4 months\n")
    good = tmp_path / "good-rules"
    shutil.copytree(bundled_rules(), good)
    case = project / EXACTLY_3_MONTHS
    r = runner.invoke(cli, ["test", "--rules", str(good), str(case)])
    assert r.exit_code == 0 and "使用" not in r.stderr
    r = runner.invoke(cli, ["test", str(case)])  # the cases given, the rules found
    assert r.exit_code == 1 and r.stderr.startswith("使用当前目录的规则：rules/")


def test_a_project_without_cases_is_told_to_name_them(runner, project):
    shutil.rmtree(project / "cases")
    r = runner.invoke(cli, ["test"])
    assert r.exit_code == 2 and "没有 cases/" in r.stderr


def test_without_a_working_copy_the_bundled_rules_are_used_and_named(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(cli, ["lint"])
    assert r.exit_code == 0
    assert r.stderr.splitlines()[0] == "使用安装包附带的规则（当前目录及上级目录中没有 rules/*/ruleset.yaml）"
    assert "3 个规则集" in r.stderr
    r = runner.invoke(cli, ["check", "--format", "json", str(bundled_cases() / "licence-renewal" / "approve-fireworks-direct-extension.yaml")])
    assert r.exit_code == 0 and r.stderr == ""  # check announces only a working copy
    assert json.loads(r.stdout)["decision"] == "approve"


def test_positions_name_the_rules_root_not_where_the_copy_sits(runner, project):
    case = EXACTLY_3_MONTHS.replace("approve-direct-extension-filed-exactly-3-months-before-expiry", "refer-death-accident-during-validity-full-review")
    r = runner.invoke(cli, ["check", "--format", "json", "--rules", str(project / "rules"), str(project / case)])
    sources = [f["source"] for f in json.loads(r.stdout)["findings"]]
    assert sources and all(s.startswith("rules/") and str(project) not in s for s in sources)
    r = runner.invoke(cli, ["explain", "--format", "json", "--rule", "TS-LIC-VAL-002", case])
    assert json.loads(r.stdout)["rules"][0]["source"] == f"{VALIDITY}:21:5"
