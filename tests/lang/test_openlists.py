"""Open lists: an aggregate over a list not declared complete never claims more than it knows."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from approval_rules.engine.closures import compile_expr
from approval_rules.lang.openlists import close_open_lists
from approval_rules.lang.parser import parse
from approval_rules.lang.typecheck import check_condition
from approval_rules.lang.values import UNKNOWN
from approval_rules.model.project import ProjectFile

CONDITIONS = [
    'count(personnel where role == "principal") >= 1',
    'count(personnel where role == "principal") > 1',
    'count(personnel where role == "special_operator" and not certificate_valid) == 0',
    'count(personnel where role == "principal") != 1',
    'count(personnel where role == "principal") < 2',
    '1 <= count(personnel where role == "principal")',
    'any(personnel where role == "principal" and assessed)',
    'all(personnel where role == "special_operator", certificate_valid)',
    'not any(personnel where role == "principal")',
]
person = st.fixed_dictionaries({
    "role": st.sampled_from(["principal", "special_operator", "technical_staff"]),
    "certificate_valid": st.booleans(),
    "assessed": st.booleans(),
})


def _run(text: str, data: dict, rewrite: bool):
    node = parse(text)
    if rewrite:
        node = close_open_lists(node, {"personnel": "personnel_complete"})
    checked = check_condition(node)
    assert not checked.errors
    fn = compile_expr(node, checked)
    project = ProjectFile.model_validate(data)
    return fn((project, dt.date(2024, 1, 1), None))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CONDITIONS), st.lists(person, max_size=4), st.lists(person, max_size=3), st.sampled_from([True, None]))
def test_open_results_are_sound_and_complete_lists_are_exact(text, listed, hidden, complete):
    base = {"application": {"kind": "licence_extension", "submitted_date": dt.date(2024, 1, 1)},
            "enterprise": {"industry": "hazchem_production"}}
    listed_only = _run(text, {**base, "personnel": listed, "personnel_complete": complete}, True)
    if complete:
        assert listed_only == _run(text, {**base, "personnel": listed}, False)
    elif listed_only is not UNKNOWN:
        # whatever else the real roster holds, a known answer over the listed part stays right
        assert listed_only == _run(text, {**base, "personnel": listed + hidden}, False)


def test_a_known_zero_adds_nothing_even_when_membership_is_unknown():
    from approval_rules.lang.interpreter import interpret

    text = "sum(accidents where date between licence.issue_date and licence.expiry_date, deaths) == 0"
    base = {"application": {"kind": "licence_extension", "submitted_date": dt.date(2024, 1, 1)},
            "enterprise": {"industry": "hazchem_production"}, "licence": {"expiry_date": dt.date(2024, 6, 1)}}
    zero = {**base, "accidents": [{"date": dt.date(2023, 1, 1), "deaths": 0}]}
    one = {**base, "accidents": [{"date": dt.date(2023, 1, 1), "deaths": 1}]}
    assert _run(text, zero, False) is True
    assert _run(text, one, False) is UNKNOWN  # the issue date decides whether this death counts
    node = parse(text)
    checked = check_condition(node)
    for data, want in ((zero, True), (one, UNKNOWN)):
        assert interpret(node, checked, ProjectFile.model_validate(data), dt.date(2024, 1, 1)) is want
