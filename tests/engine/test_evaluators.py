"""The compiled closures and the reference interpreter: three-valued semantics, case by case."""

from __future__ import annotations

import datetime as dt

import pytest

from approval_rules.engine.closures import Trace, compile_expr
from approval_rules.engine.codegen import compile_fast, compile_recorder
from approval_rules.lang.parser import parse
from approval_rules.lang.interpreter import interpret
from approval_rules.model.project import ProjectFile
from approval_rules.lang.typecheck import check_condition, check_value
from approval_rules.lang.values import UNKNOWN as U

AS_OF = dt.date(2024, 3, 15)


def project(**extra):
    base = {"application": {"kind": "licence_extension", "submitted_date": "2024-03-15"}, "enterprise": {"industry": "coal_mine"}}
    base.update(extra)
    return ProjectFile.model_validate(base)


def run(text, p, value=False):
    node = parse(text)
    checked = (check_value if value else check_condition)(node)
    assert not checked.errors, checked.errors
    fast = compile_expr(node, checked)((p, AS_OF, None))
    traced = compile_expr(node, checked, traced=True)((p, AS_OF, Trace()))
    reference = interpret(node, checked, p, AS_OF)
    generated = compile_fast(node, checked)((p, AS_OF, None))
    recorded = compile_recorder(node, checked)((p, AS_OF, None), {})
    for other in (traced, reference, generated, recorded):
        assert fast is other or fast == other
    return fast


P = project(
    licence={"issue_date": "2021-06-15", "expiry_date": "2024-06-15"},
    accidents=[{"date": "2022-01-01", "deaths": 0}, {"date": "2023-05-01", "deaths": 2}],
    enterprise={"industry": "coal_mine", "liability_insurance": True, "activities": ["produce", "store"]},
)
EMPTY = project()


@pytest.mark.parametrize(
    "text, want",
    [
        ("enterprise.liability_insurance", True),
        ("enterprise.employees > 10", U),
        ("enterprise.employees > 10 and false", False),
        ("enterprise.employees > 10 or true", True),
        ("enterprise.employees > 10 or false", U),
        ("not (enterprise.employees > 10)", U),
        ("exists(enterprise.employees)", False),
        ("enterprise.employees is missing", True),
        ("exists(licence.expiry_date)", True),
        ('"produce" in enterprise.activities', True),
        ('"trade" in enterprise.activities', False),
        ('enterprise.industry in ["coal_mine", "tailings_pond"]', True),
        ('enterprise.industry not in ["coal_mine"]', False),
        ("application.submitted_date <= licence.expiry_date - 3 months", True),
        ("application.submitted_date + 1 days <= licence.expiry_date - 3 months", False),
        ("any(accidents where deaths > 0)", True),
        ("all(accidents, deaths == 0)", False),
        ("count(accidents where deaths > 0) == 1", True),
        ("sum(accidents, deaths) == 2", True),
        ("sum(accidents where date between licence.issue_date and 2022-12-31, deaths) == 0", True),
        ("as_of == 2024-03-15", True),
        ("submitted(materials.business_license)", False),
    ],
)
def test_three_valued_results(text, want):
    assert run(text, P) is want


def test_missing_list_is_unknown_but_an_empty_list_is_not():
    assert run("any(accidents where deaths > 0)", EMPTY) is U
    assert run("count(accidents where deaths > 0) == 0", EMPTY) is U
    empty_list = project(accidents=[])
    assert run("any(accidents where deaths > 0)", empty_list) is False
    assert run("all(accidents, deaths == 0)", empty_list) is True
    assert run("sum(accidents, deaths) == 0", empty_list) is True


def test_unknown_inside_elements_propagates_only_when_it_matters():
    p = project(accidents=[{"date": "2022-01-01"}, {"date": "2023-01-01", "deaths": 1}])
    assert run("any(accidents where deaths > 0)", p) is True  # one known death decides
    assert run("all(accidents, deaths == 0)", p) is False
    q = project(accidents=[{"date": "2022-01-01"}])
    assert run("any(accidents where deaths > 0)", q) is U
    assert run("count(accidents where deaths > 0) == 0", q) is U
    assert run("sum(accidents where date > 2023-01-01, deaths) == 0", q) is True  # filtered out


def test_submitted_respects_present_false():
    p = project(materials={"business_license": {"present": False}, "application_form": {}})
    assert run("submitted(materials.business_license)", p) is False
    assert run("submitted(materials.application_form)", p) is True


def test_values_and_dates():
    assert run("licence.expiry_date - 3 months", P, value=True) == dt.date(2024, 3, 15)
    assert run("days_between(licence.issue_date, licence.expiry_date)", P, value=True) == 1096
    assert run("enterprise.employees + 1", P, value=True) is U


def test_trace_records_every_fact_read_without_short_circuit():
    node = parse("enterprise.liability_insurance or enterprise.employees > 10")
    checked = check_condition(node)
    trace = Trace()
    compile_expr(node, checked, traced=True)((P, AS_OF, trace))
    labels = [label for label, _ in trace.facts]
    assert labels == ["enterprise.liability_insurance", "enterprise.employees"]
    assert any(value is U for _, value in trace.events)


def test_trace_labels_list_elements_by_index():
    node = parse("any(accidents where deaths > 0)")
    checked = check_condition(node)
    trace = Trace()
    compile_expr(node, checked, traced=True)((P, AS_OF, trace))
    assert ("accidents[1].deaths", 2) in trace.facts


@pytest.mark.parametrize(
    "text, blamed",
    [
        ("enterprise.employees > 10 and false", set()),  # decided by the false operand
        ("enterprise.employees > 10 and licence.status == \"valid\"", {"enterprise.employees", "licence.status"}),
        ("enterprise.employees > 10 or enterprise.liability_insurance", set()),
        ("enterprise.employees > 10 or not enterprise.liability_insurance", {"enterprise.employees"}),
        ("any(accidents where deaths > 0)", {"accidents"}),
    ],
)
def test_blame_names_only_the_missing_facts_that_keep_a_result_unknown(text, blamed):
    from approval_rules.lang.interpreter import blame

    p = project(enterprise={"industry": "coal_mine", "liability_insurance": True}, licence={})
    node = parse(text)
    value, found = blame(node, check_condition(node), p, AS_OF)
    assert set(found) == blamed and (value is U) == bool(blamed)


def test_blame_points_into_list_elements():
    from approval_rules.lang.interpreter import blame

    p = project(accidents=[{"date": "2022-01-01", "deaths": 0}, {"date": "2023-01-01"}])
    node = parse("any(accidents where deaths > 0)")
    assert blame(node, check_condition(node), p, AS_OF) == (U, frozenset({"accidents[1].deaths"}))
