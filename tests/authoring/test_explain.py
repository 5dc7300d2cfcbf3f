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
    assert r.exit_code == 0 and json.loads(r.stdout)["rules"][0]["rule_id"] == "TS-LIC-VAL-003-A"
    r = runner.invoke(cli, ["explain", str(DEATH), "--rule", "NO-SUCH-RULE"])
    assert r.exit_code == 2


def test_the_deciding_rules_come_first_with_their_messages(book):
    report = explain(book, load_project(DEATH).project)
    assert report["decision"] == "refer"
    decisive = [d["rule_id"] for d in report["decisive"]]
    assert decisive == ["TS-LIC-VAL-005-C"] and "须由审查机关核查" in report["decisive"][0]["message"]
    assert [r["rule_id"] for r in report["rules"][: len(decisive)]] == decisive
    assert not any(r["decisive"] for r in report["rules"][len(decisive):])
    text = render_text(report)
    head = text.split("—— 决定性规则 ——")[0]
    assert "决定：转人工审查" in head and "TS-LIC-VAL-005-C" in head and "须由审查机关核查" in head
    assert text.index("—— 决定性规则 ——") < text.index("—— 其余规则 ——")
    only = explain(book, load_project(DEATH).project, only_decisive=True)
    assert [r["rule_id"] for r in only["rules"]] == decisive


def test_an_approval_rests_on_every_rule_with_an_effect_that_was_met(book):
    project = load_project(bundled_cases() / "licence-renewal" / "approve-fireworks-direct-extension.yaml").project
    report = explain(book, project, only_decisive=True)
    assert report["decision"] == "approve" and report["decisive"]
    assert all(r["outcome"] == "pass" and r["effect"] != "info" for r in report["rules"])
    assert "决定性规则（准予许可须全部符合，均已符合）" in render_text(report)


def test_positions_name_their_file_and_facts_their_chinese_title(book):
    report = explain(book, load_project(DEATH).project, rule_id="TS-LIC-VAL-003-A")
    [r] = report["rules"]
    assert r["source"].startswith("rules/licence-renewal/") and r["source"].split(":")[0].endswith(".yaml")
    # a definition is written in ruleset.yaml, not in the rule's file: its positions say so
    assert r["definitions"]["deaths_during_validity"]["tree"]["file"] == "rules/licence-renewal/ruleset.yaml"
    assert r["fact_titles"]["licence.expiry_date"] == "安全生产许可证·有效期届满日期"
    text = render_text(report)
    assert "〔rules/licence-renewal/ruleset.yaml:" in text
    assert "「安全生产许可证·有效期届满日期」（licence.expiry_date） = 2024年6月14日" in text


def test_explain_cli_only_decisive(runner):
    r = runner.invoke(cli, ["explain", str(DEATH), "--only-decisive"])
    assert r.exit_code == 0
    assert r.stdout.count("\n【") == 1 and "决定性规则（决定由这些规则得出）" in r.stdout
