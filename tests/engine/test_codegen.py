"""Generated code: never contains rule text, agrees with the other evaluators, folds and memoizes plans."""

from __future__ import annotations

import datetime as dt

from approval_rules import compile_rules, load_rules
from approval_rules.engine.codegen import SAFE_SOURCE, compile_fast, compile_plan, compile_recorder
from approval_rules.lang.parser import parse
from approval_rules.model.project import ProjectFile
from approval_rules.lang.typecheck import check_condition
from approval_rules.lang.values import UNKNOWN

DAY = dt.date(2024, 3, 15)


def project(**extra):
    data = {"application": {"kind": "licence_extension", "submitted_date": "2024-03-15"}, "enterprise": {"industry": "coal_mine"}}
    data.update(extra)
    return ProjectFile.model_validate(data)


def test_rule_text_never_becomes_code():
    # A hostile-looking literal stays a value in the constants table: the source only says K[0].
    text = '''enterprise.name == "__import__('os').system('echo pwned')" or enterprise.name in ["\\"; exec(1)"]'''
    node = parse(text)
    fn = compile_fast(node, check_condition(node))
    assert "__import__" not in fn.source and "exec" not in fn.source and "'" not in fn.source and '"' not in fn.source
    assert SAFE_SOURCE.match(fn.source)
    assert fn((project(enterprise={"industry": "coal_mine", "name": "__import__('os').system('echo pwned')"}), DAY, None)) is True


def test_recorder_lists_only_the_facts_consulted():
    node = parse('enterprise.liability_insurance and licence.status == "valid"')
    rec = compile_recorder(node, check_condition(node))
    out: dict = {}
    assert rec((project(enterprise={"industry": "coal_mine", "liability_insurance": False}), DAY, None), out) is False
    assert out == {"enterprise.liability_insurance": False}  # short-circuit: the licence was not consulted
    out = {}
    rec((project(enterprise={"industry": "coal_mine", "liability_insurance": True}), DAY, None), out)
    assert out == {"enterprise.liability_insurance": True, "licence.status": None}


def test_recorder_labels_list_elements():
    node = parse("any(accidents where deaths > 0)")
    out: dict = {}
    compile_recorder(node, check_condition(node))((project(accidents=[{"date": "2022-01-01", "deaths": 0}, {"date": "2023-01-01", "deaths": 2}]), DAY, None), out)
    assert out == {"accidents[0].deaths": 0, "accidents[1].deaths": 2}


RULES = """
rules:
  - id: T-1
    title: 许可证须有效
    digest: TS-LIC-SUP-001
    effective: {from: 2015-01-01}
    when: application.kind == "licence_extension" and deaths_during_validity == 0
    require: licence.status == "valid"
    effect: reject
    message: 许可证无效
    cite: [{source: licence-regulation, article: 14, verified: true}]
  - id: T-2
    title: 同一适用条件的另一条规则
    digest: TS-LIC-SUP-001
    effective: {from: 2015-01-01}
    when: application.kind == "licence_extension" and deaths_during_validity == 0
    require: licence.number is present
    effect: reject
    message: 缺少编号
    cite: [{source: licence-regulation, article: 14, verified: true}]
"""


def test_a_plan_folds_routing_facts_and_computes_shared_parts_once(rule_set):
    book = compile_rules(load_rules(rule_set(RULES)))
    plan = [(r, None) for r in book.rules]
    captured = []
    import builtins

    real = builtins.compile

    def spy(source, *a, **k):
        captured.append(source)
        return real(source, *a, **k)

    builtins.compile = spy
    try:
        fn = compile_plan(plan, {("application", "kind"): "licence_extension"})
    finally:
        builtins.compile = real
    source = captured[-1]
    assert "application" not in source  # folded: the plan is for licence extensions only
    assert source.count("D[0](ctx)") == 1  # the definition, used by both rules, computed once
    p = project(accidents=[], licence={"status": "valid"})
    assert fn((p, DAY, None)) == [False, True]
    q = project(licence={"status": "valid"})  # accidents unknown: so is whether the rules apply
    assert fn((q, DAY, None)) == [False, UNKNOWN]
