"""The rule index: which rules a kind of file can meet, sorted once per period and routing facts."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from approval_rules import compile_rules, load_rules
from approval_rules.engine.book import ROUTING, _known, _routing, _routing_reads
from approval_rules.lang.interpreter import partially
from approval_rules.ruleset.loader import load_project

from conftest import bundled_cases

RULES = """
rules:
  - id: P-1
    title: 读整个 project
    digest: TS-LIC-SUP-001
    effective: {from: 2015-01-01}
    when: project is missing
    require: licence.number is present
    effect: reject
    message: 缺少编号
    cite: [{source: licence-regulation, article: 14, verified: true}]
  - id: P-2
    title: 经由定义读取事故
    digest: TS-LIC-SUP-001
    effective: {from: 2015-01-01}
    when: application.kind == "licence_extension" and deaths_during_validity == 0
    require: licence.number is present
    effect: reject
    message: 缺少编号
    cite: [{source: licence-regulation, article: 14, verified: true}]
"""


def test_routing_reads_follow_definitions_and_whole_parents(rule_set):
    book = compile_rules(load_rules(rule_set(RULES)))
    reads = {r.id: [ROUTING[i] for i in _routing_reads(r)] for r in book.rules}
    assert reads["P-1"] == [("project", "category"), ("project", "type")]
    assert reads["P-2"] == [("application", "kind")]


def _observed() -> list[tuple]:
    return sorted({_routing(load_project(p).project) for p in sorted(bundled_cases().rglob("*.yaml"))}, key=repr)


OBSERVED = _observed()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(OBSERVED), min_size=len(ROUTING), max_size=len(ROUTING)), st.data())
def test_the_memoised_sorting_equals_partial_evaluation_for_any_routing(book, picks, data):
    # Mix the routing facts of different bundled files (and absent ones) into new combinations.
    routing = tuple(data.draw(st.sampled_from([pick[i], None])) for i, pick in enumerate(picks))
    for rule in book.rules:
        defs = {n: (d.node, d.checked) for n, d in rule.definitions.items()}
        assert book._partially(rule, routing) == partially(rule.when.node, rule.when.checked, _known(routing), defs), rule.id


def test_periods_with_the_same_plan_share_one_compiled_function(book):
    project = load_project(next(iter(sorted(bundled_cases().rglob("*.yaml"))))).project

    days = [dt.date(y, 6, 1) for y in range(2005, 2027)]
    found = [book.candidates(day, project) for day in days]
    plans = {tuple((r.id, applies) for r, applies in c.plan) for c in found}
    assert len({id(c.decide) for c in found}) == len(plans) < len(days)
