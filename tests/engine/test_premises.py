"""Provenance, derivations, presumptions, the deployment profile and open lists, end to end."""

from __future__ import annotations

import datetime as dt

import pytest

from approval_rules import ProjectFile, RulesError, compile_rules, evaluate, load_rules
from approval_rules.ruleset.profile import Profile, parse_profile

RULES = """
rules:
  - id: R-ISSUE
    title: 发证日期早于届满日
    digest: TS-LIC-VAL-001
    effective: {from: 2004-01-13}
    require: licence.issue_date < licence.expiry_date
    effect: needs_correction
    message: 发证日期有误
    cite: [{source: licence-regulation, article: 9, verified: true}]
  - id: R-FALSE
    title: 未提供虚假材料
    digest: TS-PROC-007
    effective: {from: 2004-01-13}
    require: application.false_material_flag == false
    effect: reject
    message: 提供虚假材料
    cite: [{source: licence-regulation, article: 9, verified: true}]
  - id: R-PRINCIPAL
    title: 主要负责人经考核
    digest: TS-COND-004
    effective: {from: 2004-01-13}
    require: count(personnel where role == "principal" and assessed) >= 1
    effect: reject
    message: 主要负责人未经考核
    cite: [{source: licence-regulation, article: 6, verified: true}]
  - id: R-OPS
    title: 特种作业人员均持证
    digest: TS-COND-005
    effective: {from: 2004-01-13}
    require: all(personnel where role == "special_operator", certificate_valid)
    effect: reject
    message: 特种作业人员无证
    cite: [{source: licence-regulation, article: 6, verified: true}]
"""

PREMISES = """
derive:
  - fact: licence.issue_date
    value: licence.expiry_date - 3 years + 1 days
    reason: 有效期3年，由届满日推算
    cite: [{source: licence-regulation, article: 9, verified: true}]
presume:
  - fact: application.false_material_flag
    value: false
    reason: 未发现提供虚假材料
    cite: [{source: licence-regulation, article: 9, verified: true}]
"""


@pytest.fixture()
def book(rule_set):
    d = rule_set(RULES)
    (d / "ruleset.yaml").write_text((d / "ruleset.yaml").read_text(encoding="utf-8") + PREMISES, encoding="utf-8")
    return compile_rules(load_rules(d))


def case(**extra) -> ProjectFile:
    data = {
        "format_version": 2,
        "application": {"kind": "licence_extension", "submitted_date": dt.date(2024, 3, 1)},
        "enterprise": {"industry": "hazchem_production"},
        "licence": {"expiry_date": dt.date(2024, 6, 14)},
        "personnel": [{"role": "principal", "name": "甲", "assessed": True}],
    }
    data.update(extra)
    return ProjectFile.model_validate(data)


def test_a_sparse_file_is_decided_with_its_derivation_and_presumption_shown(book):
    d = evaluate(book, case(personnel_complete=True))
    assert d.decision == "approve"
    out = d.to_dict()
    assert [(x["fact"], x["value"]) for x in out["derived"]] == [("licence.issue_date", "2021-06-15")]
    assert [(x["fact"], x["value"]) for x in out["presumed"]] == [("application.false_material_flag", False)]
    assert "R-ISSUE" in d.passed and "R-FALSE" in d.passed and "R-PRINCIPAL" in d.passed


def test_an_open_list_blames_its_completeness_flag_which_the_applicant_supplies(book):
    d = evaluate(book, case())
    ops = next(f for f in d.findings if f.rule_id == "R-OPS")
    assert ops.outcome == "unknown" and ops.missing == ["personnel_complete"] and ops.contributes == "needs_correction"
    assert d.decision == "needs_correction"
    assert [c["key"] for c in d.corrections] == ["personnel_complete"]


def test_a_listed_failure_decides_even_over_an_open_list(book):
    people = [{"role": "principal", "assessed": True}, {"role": "special_operator", "certificate_valid": False}]
    d = evaluate(book, case(personnel=people))
    assert {f.rule_id: f.outcome for f in d.findings} == {"R-OPS": "fail"}
    assert d.decision == "reject"


def test_a_roster_without_the_principal_is_not_read_as_zero_principals(book):
    d = evaluate(book, case(personnel=[{"role": "technical_staff", "name": "乙"}]))
    outcomes = {f.rule_id: f.outcome for f in d.findings}
    assert outcomes["R-PRINCIPAL"] == "unknown" and d.decision == "needs_correction"
    closed = evaluate(book, case(personnel=[{"role": "technical_staff"}], personnel_complete=True))
    assert {f.rule_id: f.outcome for f in closed.findings}["R-PRINCIPAL"] == "fail"


def test_format_1_files_keep_reading_their_lists_as_complete(book):
    v1 = case(personnel=[{"role": "principal", "assessed": True}], format_version=None)
    d = evaluate(book, v1)
    assert "R-OPS" in d.passed and d.decision == "approve"


def test_strict_mode_drops_presumptions_and_sends_authority_facts_to_the_reviewer(book):
    d = evaluate(book, case(personnel_complete=True), profile=Profile(strict=True))
    assert d.decision == "refer" and d.filled_of("presume") == []
    assert [v["fact"] for v in d.to_verify] == ["application.false_material_flag"]
    assert d.corrections == []  # never asked of the applicant
    relaxed = evaluate(book, case(personnel_complete=True))
    assert relaxed.decision == "approve" and relaxed.to_verify == []


def test_a_fact_the_file_states_is_never_overridden(book):
    d = evaluate(book, case(application={"kind": "licence_extension", "submitted_date": dt.date(2024, 3, 1),
                                         "false_material_flag": True}, personnel_complete=True))
    assert d.decision == "reject" and d.filled_of("presume") == []


def test_the_profile_supplies_the_receiving_authority(book):
    profile = parse_profile("name: 某厅\nauthority: {level: provincial, dept: emergency_management}\n", "p.yaml")
    d = evaluate(book, case(personnel_complete=True), profile=profile)
    assert d.to_dict()["context"][0]["fact"] == "application.authority"


@pytest.mark.parametrize("premise, code", [
    ("presume:\n  - {fact: licence.nonexistent, value: 1, reason: x}\n", "E222"),
    ("presume:\n  - {fact: personnel.assessed, value: true, reason: x}\n", "E222"),
    ("presume:\n  - {fact: application.false_material_flag, value: 是, reason: x}\n", "E223"),
    ("derive:\n  - {fact: licence.issue_date, value: licence.number, reason: x}\n", "E223"),
])
def test_bad_premises_are_load_errors_at_their_line(rule_set, premise, code):
    d = rule_set(RULES)
    (d / "ruleset.yaml").write_text((d / "ruleset.yaml").read_text(encoding="utf-8") + premise, encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        compile_rules(load_rules(d))
    assert [x.code for x in exc.value.diagnostics] == [code]
    assert exc.value.diagnostics[0].pos.file.endswith("ruleset.yaml")


def test_a_bad_profile_is_reported_in_chinese_at_its_line():
    from approval_rules import ProjectFileError

    with pytest.raises(ProjectFileError) as exc:
        parse_profile("authority: {level: 省级}\nstrict: 1\n", "p.yaml")
    assert {d.pos.line for d in exc.value.diagnostics} == {1, 2}
