from __future__ import annotations

import pytest

from approval_rules.lang.parser import parse
from approval_rules.model.facts import DATE, INT
from approval_rules.lang.typecheck import check_condition, check_value


def errors(text, **kw):
    return [(e.code, e.offset, e.hint) for e in check_condition(parse(text), **kw).errors]


def test_valid_conditions_have_no_errors():
    for text in [
        'enterprise.industry == "coal_mine" and project.type in ["new", "expansion"]',
        "application.submitted_date <= licence.expiry_date - 3 months",
        "any(accidents where deaths > 0 and date between licence.issue_date and licence.expiry_date)",
        'all(personnel where role == "special_operator", certificate_valid)',
        "count(major_hazards where registered) >= 1",
        "sum(accidents, deaths) == 0",
        '"produce" in enterprise.activities',
        "submitted(materials.business_license) and materials.business_license.issuer_qualified",
        "exists(licence.expiry_date) and as_of >= 2021-09-01",
        "days_between(trial_run.start_date, trial_run.end_date) >= 30",
        'project.catalog.class == "restricted"',
        "enterprise.liability_insurance",
    ]:
        assert errors(text) == [], text


def test_unknown_fact_suggests_the_closest_path():
    [(code, offset, hint)] = errors('enterprise.industy == "coal_mine"')
    assert code == "E302" and offset == 0 and "enterprise.industry" in hint


def test_unknown_enum_value_suggests_the_closest_value():
    [(code, offset, hint)] = errors('licence.status == "vaild"')
    assert code == "E304" and offset == 18 and "valid" in hint
    [(code, _, hint)] = errors('project.type in ["new", "expanson"]')
    assert code == "E304" and "expansion" in hint


def test_element_fields_are_in_scope_only_inside_the_list():
    assert errors("any(accidents where deaths > 0)") == []
    assert errors("deaths > 0")[0][0] == "E302"


@pytest.mark.parametrize(
    "text, code",
    [
        ("licence.expiry_date > '2024-01-01'", "E303"),
        ("enterprise.employees > \"5\"", "E303"),
        ('personnel.role == "principal"', "E303"),
        ("licence.expiry_date - licence.issue_date > 0", "E303"),
        ("licence.expiry_date", "E308"),
        ("not licence.expiry_date", "E308"),
        ("foo(1)", "E305"),
        ("days_between(licence.expiry_date)", "E306"),
        ("count(enterprise.employees) > 1", "E303"),
        ("sum(accidents, level) > 1", "E303"),
        ("all(accidents, date)", "E308"),
        ("enterprise.industry == application.kind", "E303"),
        ('licence.status < "valid"', "E303"),
        ("exists(1)", "E303"),
        ("submitted(licence)", "E303"),
    ],
)
def test_type_errors(text, code):
    assert code in [e[0] for e in errors(text)]


def test_all_errors_are_reported_not_just_the_first():
    found = errors('enterprise.industy == "x" and licence.status == "vaild" and foo(1)')
    assert [c for c, _, _ in found] == ["E302", "E304", "E305"]


def test_definitions_resolve_with_their_types():
    assert errors("deaths_during_validity == 0", definitions={"deaths_during_validity": INT}) == []
    assert errors("deaths_during_validity == 0")[0][0] == "E302"


def test_value_types():
    checked = check_value(parse("licence.expiry_date - 3 months"))
    node = next(iter(checked.types))
    assert checked.types[node] == DATE or DATE in checked.types.values()
