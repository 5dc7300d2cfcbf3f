"""Lint refuses what check would crash on, each at file:line:col, and finishes on huge conditions.

Whatever lint passes must load and evaluate without an exception: lint runs the same limits as
loading (E310–E314), and its own static analysis is bounded (W506 分析已截断).
"""

from __future__ import annotations

import shutil
import time

import pytest
from hypothesis import HealthCheck, given, settings

from approval_rules.authoring.lint import lint
from approval_rules.core.diagnostics import RulesError, Severity
from approval_rules.engine.compiler import compile_rules
from approval_rules.engine.evaluator import evaluate
from approval_rules.ruleset.loader import load_rules

from conftest import DATA, bundled_rules
from lang.test_lang_hardening import TOO_MUCH, projects, texts

RULE = """rules:
  - id: R-{n}
    title: 测试
    digest: TS-LIC-VAL-00{n}
    effective: {{from: 2015-01-01}}
    when: application.kind == "licence_extension"
    require: '{cond}'
    effect: reject
    message: 不符合
    cite: [{{source: licence-regulation, article: 9, verified: true}}]
"""
REQUIRE_COL = len("    require: '") + 1  # where the condition text starts on its line


def _rule_set(tmp_path, *conditions: str):
    target = tmp_path / "set"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(DATA / "ruleset_header", target)
    text = "".join(RULE.format(n=i + 1, cond=c) for i, c in enumerate(conditions))
    (target / "10.yaml").write_text("rules:\n" + text.replace("rules:\n", ""), encoding="utf-8")
    return target


@pytest.mark.parametrize("name", TOO_MUCH)
def test_lint_and_loading_refuse_the_same_way_with_a_position(name, tmp_path):
    text, code = TOO_MUCH[name]
    target = _rule_set(tmp_path, text)
    errors = lint(target).errors
    assert [d.code for d in errors] == [code]
    assert errors[0].pos.line == 7 and REQUIRE_COL <= errors[0].pos.col <= REQUIRE_COL + len(text)
    with pytest.raises(RulesError) as exc:
        compile_rules(load_rules(target))
    assert exc.value.diagnostics == errors


def test_a_huge_or_is_linted_in_seconds_and_the_truncation_is_said(tmp_path):
    terms = " or ".join(f"enterprise.employees == {i}" for i in range(3000))
    target = _rule_set(tmp_path, terms, f"not ({terms})")
    start = time.process_time()
    report = lint(target)
    assert time.process_time() - start < 30  # it was minutes before the analysis had a budget
    assert report.errors == []
    truncated = [d for d in report.diagnostics if d.code == "W506"]
    assert truncated and all(d.severity is Severity.WARNING and d.message.startswith("分析已截断：") for d in truncated)


def test_the_bundled_rules_are_analysed_in_full():
    assert lint(bundled_rules()).count("W506") == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(texts(), projects())
def test_what_lint_passes_loads_and_evaluates(tmp_path, text, project):
    target = _rule_set(tmp_path, text.replace("'", "''"))
    report = lint(target)
    assert all(d.pos is not None and d.pos.line >= 1 for d in report.diagnostics)
    if report.errors:
        with pytest.raises(RulesError):
            compile_rules(load_rules(target))
        return
    decision = evaluate(compile_rules(load_rules(target)), project)
    assert decision.decision
