from __future__ import annotations

import json

from approval_rules.authoring.casetest import coverage_of_cases
from approval_rules.cli import cli

from conftest import bundled_cases


def test_every_bundled_rule_has_a_failing_and_a_passing_case(book):
    report = coverage_of_cases(book, [bundled_cases()])
    missing = [f"{i.pos.file}:{i.pos.line} {i.key}: {i.lacking()}" for i in report.uncovered("rule")]
    assert not missing, "\n".join(missing)


def test_condition_coverage_counts_operands_that_decide(rule_set, tmp_path):
    from approval_rules import compile_rules, load_rules

    rules = rule_set("""
rules:
  - id: T-1
    title: 两项都要
    digest: TS-LIC-VAL-002
    effective: {from: 2015-01-01}
    require: enterprise.liability_insurance and licence.status == "valid"
    effect: reject
    message: 不符合
    cite: [{source: licence-regulation, article: 9, verified: true}]
""")
    book = compile_rules(load_rules(rules))
    base = "application: {kind: licence_extension, submitted_date: 2024-01-01}\nenterprise: {industry: coal_mine, liability_insurance: %s}\nlicence: {status: %s}\n"
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "a.yaml").write_text(base % ("true", "valid"), encoding="utf-8")
    (cases / "b.yaml").write_text(base % ("false", "valid"), encoding="utf-8")
    report = coverage_of_cases(book, [cases])
    first, second = report.of("condition")
    assert first.covered and not second.covered  # insurance alone decided; status never did
    assert report.uncovered("rule") == []
    (cases / "c.yaml").write_text(base % ("true", "revoked"), encoding="utf-8")
    assert coverage_of_cases(book, [cases]).percent("condition") == 100.0


def test_cli_coverage_and_minimum(runner):
    r = runner.invoke(cli, ["test", "--coverage", "--format", "json"])
    data = json.loads(r.stdout[r.stdout.index("{"):])
    assert data["by_kind"]["rule"]["percent"] == 100.0
    assert r.exit_code == 0
    r = runner.invoke(cli, ["test", "--min", "100"])
    assert r.exit_code == 1 and "低于要求的 100%" in r.output
