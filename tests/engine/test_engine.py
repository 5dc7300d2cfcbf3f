"""Engine semantics on a small fixture rule set: precedence, fail-closed, versions, the contract."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from approval_rules import compile_rules, evaluate, load_rules
from approval_rules.model.project import ProjectFile

RULES = """
rules:
  - id: T-REJECT
    title: 许可证须有效
    digest: TS-LIC-SUP-001
    effective: {from: 2015-01-01}
    when: application.kind == "licence_extension"
    require: licence.status == "valid"
    effect: reject
    legal_effect: refuse
    message: 许可证状态为{licence.status}
    cite: [{source: licence-regulation, article: 14, verified: true}]
  - id: T-CORRECT
    title: 应于期满前3个月提出
    digest: TS-LIC-VAL-002
    effective: {from: 2015-01-01}
    when: application.kind == "licence_extension"
    require: application.submitted_date <= licence.expiry_date - 3 months
    effect: needs_correction
    message: 提出日期{application.submitted_date}晚于{licence.expiry_date - 3 months}
    cite: [{source: licence-regulation, article: 9, clause: 1, verified: true}]
  - id: T-REFER
    title: 有效期内无死亡事故
    digest: TS-LIC-VAL-003
    effective: {from: 2015-01-01}
    when: application.kind == "licence_extension"
    require: deaths_during_validity == 0
    effect: refer
    legal_effect: full_review
    message: 有效期内死亡{deaths_during_validity}人
    cite: [{source: licence-regulation, article: 9, clause: 2, verified: true}]
  - id: T-INFO
    title: 提示
    digest: TS-LIC-VAL-006
    effective: {from: 2015-01-01}
    when: application.kind == "licence_extension"
    require: enterprise.liability_insurance
    effect: info
    message: 未投保安全生产责任保险
  - id: T-VERSIONED
    title: 安全评价
    digest: TS-3S-PRE-001
    effective: {from: 2015-01-01}
    when: application.kind == "design_review"
    require: pre_evaluation.done
    effect: reject
    message: 未进行安全预评价
    cite:
      - {source: work-safety-law, version: 2014-12-01, article: 29, verified: true}
      - {source: work-safety-law, version: 2021-09-01, article: 32, verified: true}
  - id: T-OLD
    title: 已废止的规则
    digest: TS-3S-PRE-005
    effective: {from: 2015-01-01, to: 2019-12-31}
    when: application.kind == "design_review"
    require: project.is_key_project == false
    effect: reject
    message: 旧规则
    cite: [{source: work-safety-law, version: 2014-12-01, article: 29}]
"""


@pytest.fixture()
def book(rule_set):
    return compile_rules(load_rules(rule_set(RULES)))


def renewal(**extra):
    data = {
        "case_id": "c1",
        "application": {"kind": "licence_extension", "submitted_date": "2024-03-15"},
        "enterprise": {"industry": "coal_mine", "liability_insurance": True},
        "licence": {"issue_date": "2021-06-15", "expiry_date": "2024-06-15", "status": "valid"},
        "accidents": [],
    }
    for k, v in extra.items():
        data[k] = {**data[k], **v} if isinstance(data.get(k), dict) and isinstance(v, dict) else v
    return ProjectFile.model_validate(data)


def ids(d):
    return sorted(f.rule_id for f in d.findings)


def test_clean_file_is_approved_with_an_audit_trail(book):
    d = evaluate(book, renewal())
    assert d.decision == "approve" and d.findings == []
    assert sorted(d.passed) == ["T-CORRECT", "T-INFO", "T-REFER", "T-REJECT"]
    assert sorted(d.not_applicable) == ["T-VERSIONED"]


def test_precedence_reject_over_correction_over_refer(book):
    all_bad = renewal(
        licence={"status": "suspended"},
        application={"submitted_date": "2024-04-01"},
        accidents=[{"date": "2023-01-01", "deaths": 1}],
    )
    d = evaluate(book, all_bad)
    assert d.decision == "reject"
    assert ids(d) == ["T-CORRECT", "T-REFER", "T-REJECT"]  # every deficiency at once
    d = evaluate(book, renewal(application={"submitted_date": "2024-04-01"}, accidents=[{"date": "2023-01-01", "deaths": 1}]))
    assert d.decision == "needs_correction"
    assert evaluate(book, renewal(accidents=[{"date": "2023-01-01", "deaths": 1}])).decision == "refer"


def test_filing_exactly_three_months_before_expiry_passes_and_a_day_later_fails(book):
    assert "T-CORRECT" in evaluate(book, renewal(application={"submitted_date": "2024-03-15"})).passed
    assert "T-CORRECT" in ids(evaluate(book, renewal(application={"submitted_date": "2024-03-16"})))


def test_missing_fact_gives_unknown_and_needs_correction_never_approve(book):
    p = renewal(licence={"issue_date": "2021-06-15", "expiry_date": "2024-06-15", "status": None})
    d = evaluate(book, p)
    assert d.decision == "needs_correction"
    [f] = d.findings
    assert (f.rule_id, f.outcome, f.missing) == ("T-REJECT", "unknown", ["licence.status"])
    assert "licence.status" in f.message and "状态" in f.message


def test_unknown_of_a_reject_rule_is_correction_not_reject(book):
    p = renewal(licence={"status": None}, accidents=None)
    d = evaluate(book, p)
    assert d.decision == "needs_correction"
    assert {f.outcome for f in d.findings} == {"unknown"}


def test_info_findings_never_change_the_decision(book):
    d = evaluate(book, renewal(enterprise={"liability_insurance": False}))
    assert d.decision == "approve" and ids(d) == ["T-INFO"]


def test_no_applicable_rule_is_referred_never_approved(book):
    p = ProjectFile.model_validate({"application": {"kind": "entry_screening", "submitted_date": "2024-01-01"}, "enterprise": {"industry": "general"}})
    d = evaluate(book, p)
    assert d.decision == "refer" and ids(d) == ["ENGINE-NO-APPLICABLE-RULE"]


@pytest.mark.parametrize("day, article, version", [("2021-08-31", 29, "2014-12-01"), ("2021-09-01", 32, "2021-09-01")])
def test_citations_follow_the_version_in_force(book, day, article, version):
    p = ProjectFile.model_validate({"application": {"kind": "design_review", "submitted_date": day}, "enterprise": {"industry": "metal_smelting"}, "pre_evaluation": {"done": False}})
    [f] = evaluate(book, p).findings
    assert [(c.article, c.law_version.isoformat()) for c in f.citations] == [(article, version)]


def test_rules_apply_by_effective_period_and_as_of_overrides(book):
    p = ProjectFile.model_validate({"application": {"kind": "design_review", "submitted_date": "2019-12-31"}, "enterprise": {"industry": "metal_smelting"}, "pre_evaluation": {"done": True}, "project": {"is_key_project": True}})
    assert ids(evaluate(book, p)) == ["T-OLD"]
    assert ids(evaluate(book, p, as_of=dt.date(2020, 1, 1))) == []
    assert evaluate(book, p, as_of=dt.date(2014, 1, 1)).decision == "refer"


def test_message_is_filled_with_case_values(book):
    d = evaluate(book, renewal(licence={"status": "suspended"}, accidents=[{"date": "2023-01-01", "deaths": 2}]))
    msgs = {f.rule_id: f.message for f in d.findings}
    assert msgs["T-REJECT"] == "许可证状态为暂扣"
    assert msgs["T-REFER"] == "有效期内死亡2人"


def test_the_json_contract(book):
    d = evaluate(book, renewal(licence={"status": "revoked"})).to_dict()
    assert set(d) == {
        "case_id", "decision", "as_of", "rulesets", "findings", "passed", "not_applicable",
        # added by issue 9, after the keys above (additive: existing keys and meanings unchanged)
        "corrections", "to_verify", "presumed", "derived", "context",
    }
    assert d["as_of"] == "2024-03-15" and d["decision"] == "reject"
    [rs] = d["rulesets"]
    assert set(rs) == {"id", "version", "sha256"} and len(rs["sha256"]) == 64
    [f] = d["findings"]
    assert {"rule_id", "outcome", "effect", "message", "facts", "citations"} <= set(f)
    assert f["facts"]["licence.status"] == "revoked"
    [c] = f["citations"]
    assert c == {"law": "安全生产许可证条例", "law_version": "2014-07-29", "article": 14, "clause": None, "item": None, "verified": True, "note": None}
    json.dumps(d, ensure_ascii=False)


def test_evaluation_is_thread_safe(book):
    from concurrent.futures import ThreadPoolExecutor

    files = [renewal(accidents=[{"date": "2023-01-01", "deaths": i % 3}]) for i in range(60)]
    serial = [evaluate(book, p).to_dict() for p in files]
    with ThreadPoolExecutor(8) as pool:
        parallel = list(pool.map(lambda p: evaluate(book, p).to_dict(), files))
    assert parallel == serial


def test_missing_lists_only_what_decides_the_rule(book):
    # The rule applies for sure; its requirement's unknown fact is the one to supply, nothing read elsewhere.
    p = renewal(accidents=None)
    [f] = [f for f in evaluate(book, p).findings if f.rule_id == "T-REFER"]
    assert f.outcome == "unknown" and f.missing == ["accidents"]
    d = evaluate(book, renewal(licence={"status": None}))
    assert [f.missing for f in d.findings] == [["licence.status"]]


def test_a_missing_durable_says_so_in_chinese():
    script = "import sys; sys.modules['durable'] = None; sys.modules['durable.engine'] = None\n" \
             "from approval_rules.engine import make_backend, BackendUnavailable\n" \
             "try:\n    make_backend('durable')\nexcept BackendUnavailable as e:\n    print(e)\n"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60).stdout
    assert "approval-rules[durable]" in out and "3.13" in out
