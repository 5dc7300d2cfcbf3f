"""The durable-rules backend: each workaround from the research note has a test that fails without it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from approval_rules import compile_rules, load_rules
from approval_rules.engine.backends.durable import DurableBackend, DurableError, _SyncHost
from approval_rules.engine.backends.durable_translate import CHUNK, GUARD, _compile
from approval_rules.engine import make_backend
from approval_rules.engine.evaluator import evaluate
from approval_rules.authoring.explain import explain
from approval_rules.ruleset.loader import load_project
from approval_rules.model.project import ProjectFile
from approval_rules.lang.values import UNKNOWN

from conftest import DATA, bundled_cases

RULE = """
  - id: {id}
    title: 测试规则
    digest: TS-LIC-VAL-002
    effective: {{from: 2015-01-01}}
    require: {require}
    effect: reject
    message: 不符合
    cite: [{{source: licence-regulation, article: 9, verified: true}}]
"""


def rules(tmp_path, *requires: str):
    import shutil

    target = tmp_path / "set"
    shutil.copytree(DATA / "ruleset_header", target)
    body = "rules:" + "".join(RULE.format(id=f"T-{i}", require=r) for i, r in enumerate(requires))
    (target / "10.yaml").write_text(body, encoding="utf-8")
    return target


def project(**extra) -> ProjectFile:
    data = {"application": {"kind": "licence_extension", "submitted_date": "2024-03-15"}, "enterprise": {"industry": "coal_mine"}}
    data.update(extra)
    return ProjectFile.model_validate(data)


def verdicts(book, p, backend=None):
    backend = backend or DurableBackend()
    _, out = backend.verdicts(book, p, p.application.submitted_date)
    return [v for _, v in out]


def run_isolated(tmp_path, require: str, facts: str) -> subprocess.CompletedProcess:
    """Evaluate one rule in a fresh interpreter: a hang or a segfault must not take pytest down."""
    target = rules(tmp_path, require)
    script = textwrap.dedent(f"""
        from approval_rules import compile_rules, load_rules
        from approval_rules.engine.backends.durable import DurableBackend
        from approval_rules.model.project import ProjectFile
        book = compile_rules(load_rules({str(target)!r}))
        p = ProjectFile.model_validate({facts})
        print(DurableBackend().verdicts(book, p, p.application.submitted_date)[1][0][1])
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)


BASE = "{'application': {'kind': 'licence_extension', 'submitted_date': '2024-03-15'}, 'enterprise': {'industry': 'coal_mine'}}"


def test_sync_host_starts_no_threads(tmp_path):
    # The stock Host starts two timer threads that race with synchronous calls and crash under threads.
    book = compile_rules(load_rules(rules(tmp_path, 'licence.status == "valid"')))
    before = threading.active_count()
    backend = DurableBackend()
    verdicts(book, project(licence={"status": "valid"}), backend)
    assert threading.active_count() == before


def test_every_rule_starts_with_a_positive_guard(book):
    compiled = _compile(book)
    for rules_ in compiled.rules.values():
        for rule in rules_.values():
            test = rule["all"][0]["m"]
            assert test == GUARD or test["$and"][0] == GUARD


def test_a_presence_only_rule_does_not_loop(tmp_path):
    # Without the guard, a rule made only of $nex matches the engine's own state object forever.
    result = run_isolated(tmp_path, "licence.number is missing", BASE)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "False"  # the requirement holds: no violation


def test_a_file_where_nothing_fires_does_not_crash(tmp_path):
    # Without the sentinel rule, delete_state on a session where no action ran segfaults.
    result = run_isolated(tmp_path, 'licence.status == "valid"', BASE)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "UNKNOWN"


def test_more_true_rules_than_the_engine_allows_in_one_ruleset(tmp_path):
    # Over 64 simultaneously true tests under one node fail with error 303 unless rulesets are split.
    n = 2 * CHUNK
    book = compile_rules(load_rules(rules(tmp_path, *[f"enterprise.employees >= {i}" for i in range(n)])))
    assert len(_compile(book).rules) >= 2
    assert verdicts(book, project(enterprise={"industry": "coal_mine", "employees": 1000})) == [False] * n


def test_sessions_are_deleted_so_thousands_of_files_can_be_decided(tmp_path):
    # A ruleset holds at most 1024 live sessions: without delete_state the 1025th file fails.
    book = compile_rules(load_rules(rules(tmp_path, 'licence.status == "valid"')))
    backend = DurableBackend()
    p = project(licence={"status": "valid"})
    assert all(verdicts(book, p, backend) == [False] for _ in range(1100))


def test_dates_are_normalised_before_asserting(tmp_path):
    # durable has no date type: unnormalised dates would not even serialise, and ISO text compares wrongly.
    book = compile_rules(load_rules(rules(
        tmp_path, "licence.expiry_date >= 2024-01-01", "any(accidents where date >= licence.issue_date)",
    )))
    p = project(licence={"expiry_date": "2024-06-15", "issue_date": "2021-06-15"}, accidents=[{"date": "2023-01-01"}])
    assert verdicts(book, p) == [False, False]
    q = project(licence={"expiry_date": "2023-06-15", "issue_date": "2021-06-15"}, accidents=[{"date": "2020-01-01"}])
    assert verdicts(book, q) == [True, True]


def test_absent_facts_are_left_out_not_sent_as_null(tmp_path):
    # durable counts a null field as present ($ex matches) and fails every comparison with it.
    book = compile_rules(load_rules(rules(tmp_path, "licence.number is missing", "not exists(licence.status)")))
    p = ProjectFile.model_validate({**project().model_dump(by_alias=True, exclude_none=True), "licence": {"number": None, "status": None}})
    assert verdicts(book, p) == [False, False]


def test_an_action_exception_is_not_swallowed(tmp_path, monkeypatch):
    # durable puts an action's exception into the session state and carries on.
    import approval_rules.engine.backends.durable_translate as db

    def failing(key):
        def action(c):
            raise RuntimeError("boom")

        return action

    monkeypatch.setattr(db, "_record", failing)
    book = compile_rules(load_rules(rules(tmp_path, 'licence.status == "valid"')))
    with pytest.raises(DurableError, match="boom"):
        verdicts(book, project(licence={"status": "valid"}))


def test_definitions_survive_registration(tmp_path):
    # durable deletes "run" from the definitions it registers; the compiled ones must stay usable.
    book = compile_rules(load_rules(rules(tmp_path, 'licence.status == "valid"')))
    backend = DurableBackend()
    compiled = backend.compiled(book)
    assert all("run" in r for rules_ in compiled.rules.values() for r in rules_.values())
    _SyncHost().register_rulesets(compiled.rules)  # a second host, as after a reload


def test_floats_are_left_to_the_native_evaluator(tmp_path):
    # durable's JSON reader fails on 1e-07 (error 204): decimal comparisons are decided natively.
    book = compile_rules(load_rules(rules(tmp_path, "enterprise.injury_insurance.covered_ratio >= 0.5")))
    p = project(enterprise={"industry": "coal_mine", "injury_insurance": {"covered_ratio": 1e-07}})
    assert verdicts(book, p) == [True]
    assert _compile(book).natives


def test_unknown_and_not_applicable_are_told_apart(tmp_path):
    book = compile_rules(load_rules(rules(tmp_path, 'licence.status == "valid"')))
    assert verdicts(book, project()) == [UNKNOWN]
    assert verdicts(book, project(licence={"status": "revoked"})) == [True]


def test_explain_marks_sub_conditions_left_to_the_native_evaluator(book):
    path = bundled_cases() / "licence-renewal" / "refer-death-accident-during-validity-full-review.yaml"
    report = explain(book, load_project(path).project, rule_id="TS-LIC-VAL-003-A", backend=make_backend("durable"))
    [rule] = report["rules"]
    assert report["backend"] == "durable"
    assert rule["require"]["tree"]["decided_by"] == "native"  # a sum over a list: not a durable construct


def test_the_backend_agrees_with_native_on_a_bundled_case(book):
    path = bundled_cases() / "three-simultaneous" / "reject-completion-acceptance-2021-09-01-work-safety-law-2021.yaml"
    p = load_project(path).project
    assert evaluate(book, p, backend=make_backend("durable")).to_dict()["findings"] == evaluate(book, p).to_dict()["findings"]
