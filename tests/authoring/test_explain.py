from __future__ import annotations

import json

from approval_rules.cli import cli
from approval_rules.authoring.explain import explain, render_text
from approval_rules.ruleset.loader import load_project

from conftest import bundled_cases

DEATH = bundled_cases() / "licence-renewal" / "refer-death-accident-during-validity-full-review.yaml"


def test_explain_shows_tree_values_facts_and_position(book):
    project = load_project(DEATH).project
    report = explain(book, project, rule_id="TS-LIC-VAL-003-A")
    [r] = report["rules"]
    assert r["outcome"] == "fail" and r["require"]["value"] is False
    assert r["source"].endswith(".yaml:" + r["source"].rsplit(":", 2)[1] + ":" + r["source"].rsplit(":", 1)[1])
    assert r["facts"]["deaths_during_validity"] == 1
    assert r["definitions"]["deaths_during_validity"]["tree"]["values"] == [1]
    text = render_text(report)
    assert "【不符合】TS-LIC-VAL-003-A" in text and "否 ← 「许可证有效期内生产安全事故死亡人数」为0" in text


def test_explain_lists_every_applicable_rule_by_default(book):
    project = load_project(DEATH).project
    report = explain(book, project)
    outcomes = {r["outcome"] for r in report["rules"]}
    assert "not_applicable" not in outcomes and {"pass", "fail"} <= outcomes
    assert len(explain(book, project, include_not_applicable=True)["rules"]) == len(book.active(project.application.submitted_date))


def test_explain_agrees_with_the_decision(book):
    from approval_rules.engine.evaluator import evaluate

    project = load_project(DEATH).project
    decided = {f.rule_id: f.outcome for f in evaluate(book, project).findings}
    explained = {r["rule_id"]: r["outcome"] for r in explain(book, project)["rules"] if r["outcome"] in ("fail", "unknown")}
    assert decided == explained


def test_explain_cli(runner):
    r = runner.invoke(cli, ["explain", str(DEATH), "--rule", "TS-LIC-VAL-003-A", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output)["rules"][0]["rule_id"] == "TS-LIC-VAL-003-A"
    r = runner.invoke(cli, ["explain", str(DEATH), "--rule", "NO-SUCH-RULE"])
    assert r.exit_code == 2
