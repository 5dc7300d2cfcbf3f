"""Every bundled example case decides exactly as its ``expect:`` block says."""

from __future__ import annotations

import pytest

from approval_rules.authoring.casetest import case_files, run_case

from conftest import bundled_cases

CASES = case_files([bundled_cases()])


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_case(book, path):
    result = run_case(book, path)
    assert result.ok, f"{result.where}: " + "; ".join(result.problems + [d.render() for d in result.errors])


def test_the_corpus_covers_every_rule_set_and_decision(book):
    decisions = {}
    for path in CASES:
        r = run_case(book, path)
        decisions.setdefault(path.parent.name, set()).add(r.decision.decision)
    assert set(decisions) == {"high-risk-entry", "three-simultaneous", "licence-renewal"}
    assert set().union(*decisions.values()) == {"approve", "reject", "needs_correction", "refer"}
    assert len(CASES) >= 40


def test_the_bundled_rules_are_enough_and_name_their_digest_rows(book):
    ids = {r.id for r in book.rules}
    assert len(ids) >= 100
    assert all(r.digest for r in book.rules)


def _outcomes(book) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {r.id: set() for r in book.rules}
    for path in CASES:
        d = run_case(book, path).decision
        for rule_id in d.passed:
            seen[rule_id].add("pass")
        for f in d.findings:
            if f.rule_id in seen:
                seen[f.rule_id].add(f.outcome)
    return seen


def test_every_rule_has_a_failing_and_a_passing_case(book):
    seen = _outcomes(book)
    lacking = sorted(rule_id for rule_id, got in seen.items() if not {"pass", "fail"} <= got)
    assert lacking == [], f"{len(lacking)} 条规则缺少不符合或通过的案例"
