"""Native engine, reference interpreter and durable-rules backend decide identically.

On every bundled case and on generated project files: the same decision, the same findings
(ids, outcomes, messages, citations) and the same passed / not-applicable rules. A mismatch
names the case and the first rule where the backends differ.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from approval_rules.authoring.casetest import case_files
from approval_rules.engine import make_backend
from approval_rules.engine.evaluator import evaluate
from approval_rules.ruleset.loader import load_project

from conftest import DURABLE_SUPPORTED, bundled_cases
from strategies import bundled_case_dicts, mutated, schema_projects

BACKENDS = {name: make_backend(name) for name in ("native", "reference", "durable")[: 3 if DURABLE_SUPPORTED else 2]}
CASES = case_files([bundled_cases()])


def _comparable(d) -> dict:
    x = d.to_dict()
    x["passed"], x["not_applicable"] = sorted(x["passed"]), sorted(x["not_applicable"])
    return x


def _first_difference(a: dict, b: dict) -> str:
    if a["decision"] != b["decision"]:
        return f"decision {a['decision']} vs {b['decision']}"
    fa, fb = {f["rule_id"]: f for f in a["findings"]}, {f["rule_id"]: f for f in b["findings"]}
    for rule_id in sorted(set(fa) | set(fb)):
        if fa.get(rule_id) != fb.get(rule_id):
            return f"first differing rule {rule_id}: {fa.get(rule_id, {}).get('outcome')} vs {fb.get(rule_id, {}).get('outcome')}"
    for key in ("passed", "not_applicable"):
        if a[key] != b[key]:
            return f"first differing rule {sorted(set(a[key]) ^ set(b[key]))[0]} ({key})"
    return "findings order"


def assert_same(book, project, label: str) -> None:
    results = {name: _comparable(evaluate(book, project, backend=b)) for name, b in BACKENDS.items()}
    for name in list(BACKENDS)[1:]:
        assert results[name] == results["native"], f"{label}: native vs {name}: {_first_difference(results['native'], results[name])}"


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_bundled_case_is_decided_alike_by_all_backends(book, path):
    assert_same(book, load_project(path).project, str(path))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(schema_projects())
def test_generated_files_are_decided_alike(book, project):
    assert_same(book, project, project.model_dump_json(exclude_none=True)[:400])


BASES = bundled_case_dicts(bundled_cases())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated(BASES))
def test_mutated_bundled_cases_are_decided_alike(book, project):
    assert_same(book, project, project.model_dump_json(exclude_none=True)[:400])
