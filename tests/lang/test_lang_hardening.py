"""Hardening: no crash, no fail-open.

Expressions past the limits are refused with a code and an offset; extreme values at
evaluation (dates at the calendar's ends, NaN) give unknown, never an exception; and random
expressions, parsed and compiled, are either refused with a position or evaluated identically
by the reference interpreter, the closures and the generated code.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approval_rules.engine.closures import Trace, compile_expr
from approval_rules.engine.codegen import compile_fast, compile_recorder
from approval_rules.lang import limits
from approval_rules.lang.interpreter import interpret
from approval_rules.lang.parser import OffsetError, parse
from approval_rules.lang.typecheck import check_condition
from approval_rules.lang.values import UNKNOWN as U
from approval_rules.model.project import ProjectFile

# Inputs that once crashed (exit 3) instead of being refused, with the code they now get.
TOO_MUCH = {
    "not": ("not " * 100 + "exists(licence.expiry_date)", "E310"),
    "exists": ("exists(" * 100 + "licence.expiry_date" + ")" * 100, "E310"),
    "plus": ("enterprise.employees" + " + 1" * 100 + " > 0", "E310"),
    "any": ("any(accidents where " * 20 + "deaths > 0" + ")" * 20, "E310"),
    "parens": ("(" * 300 + "true" + ")" * 300, "E310"),
    "brackets": ("enterprise.employees in " + "[" * 300 + "1" + "]" * 300, "E310"),
    "size": (" or ".join(["true"] * 12_000), "E311"),
    "digits": ("enterprise.employees < " + "9" * 5000, "E312"),
    "decimals": ("enterprise.employees < 1." + "0" * 40, "E312"),
    "date_max": ("licence.expiry_date < 9999-12-31 + 1 days", "E313"),
    "date_min": ("licence.expiry_date > 0001-01-01", "E313"),
    "years": ("licence.expiry_date < licence.issue_date + 9000 years", "E314"),
    "days": ("licence.expiry_date < as_of - 99999999 days", "E314"),
    "chain": ("licence.expiry_date < as_of + 150 years + 100 years", "E314"),
}


@pytest.mark.parametrize("name", TOO_MUCH)
def test_past_the_limits_is_a_positioned_error(name):
    text, code = TOO_MUCH[name]
    with pytest.raises(OffsetError) as exc:
        parse(text)
    assert exc.value.code == code
    assert 0 <= exc.value.offset <= len(text)


def test_within_the_limits_is_accepted():
    for text in (
        "not " * 30 + "exists(licence.expiry_date)",
        "enterprise.employees" + " + 1" * 29 + " > 0",
        "licence.expiry_date < as_of + 100 years + 1200 months",
        "enterprise.employees < " + "9" * limits.MAX_DIGITS,
        "licence.expiry_date between 1900-01-01 and 2100-12-31",
    ):
        assert not check_condition(parse(text)).errors


def _project(**extra) -> ProjectFile:
    base = {"application": {"kind": "licence_extension", "submitted_date": "2024-03-15"}, "enterprise": {"industry": "coal_mine"}}
    for key, value in extra.items():
        if isinstance(value, dict):
            base.setdefault(key, {}).update(value)
        else:
            base[key] = value
    return _unchecked(base)


def _refused(value) -> bool:
    """NaN, infinities, and every date: the input layer refuses some dates alone and some in pairs
    (issued after expiry), so all dates are set past validation."""
    if isinstance(value, float):
        return not math.isfinite(value)
    return isinstance(value, dt.date) or isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[:4].isdigit()


def _unchecked(base: dict) -> ProjectFile:
    """A project with values the input layer refuses (NaN, year 1, dates out of order) set past validation, as
    ``model_construct`` would let an integrator do: evaluation must stay safe even then."""
    hostile: list[tuple[tuple, object]] = []

    def strip(node, path):
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        out = {} if isinstance(node, dict) else []
        for k, v in items:
            if _refused(v):  # validated with a harmless stand-in of the same type, replaced below
                hostile.append((path + (k,), dt.date.fromisoformat(v) if isinstance(v, str) else v))
                kept = 0.5 if isinstance(v, float) else "2000-01-01"
            else:
                kept = strip(v, path + (k,)) if isinstance(v, (dict, list)) else v
            out[k] = kept if isinstance(out, dict) else out.append(kept) or kept
        return out

    project = ProjectFile.model_validate(strip(base, ()))
    for path, value in hostile:
        holder = project
        for k in path[:-1]:
            holder = holder[k] if isinstance(k, int) else getattr(holder, k)
        holder.__dict__[path[-1]] = value
    return project


def _all(text: str, project: ProjectFile, as_of=dt.date(2024, 3, 15)) -> list:
    node = parse(text)
    checked = check_condition(node)
    assert not checked.errors, checked.errors
    return [
        interpret(node, checked, project, as_of),
        compile_expr(node, checked)((project, as_of, None)),
        compile_expr(node, checked, traced=True)((project, as_of, Trace())),
        compile_fast(node, checked)((project, as_of, None)),
        compile_recorder(node, checked)((project, as_of, None), {}),
    ]


@pytest.mark.parametrize("text, licence, want", [
    ("licence.expiry_date + 1 days > as_of", {"expiry_date": "9999-12-31"}, U),
    ("licence.expiry_date + 1 years > as_of", {"expiry_date": "9999-06-01"}, U),
    ("licence.issue_date - 3 months < as_of", {"issue_date": "0001-02-01"}, U),
    ("licence.issue_date - 3 months < as_of or true", {"issue_date": "0001-02-01"}, True),
    ("days_between(licence.issue_date, licence.expiry_date) > 0", {"issue_date": "0001-01-01", "expiry_date": "9999-12-31"}, True),
    ("months_between(licence.expiry_date, licence.issue_date) < 0", {"issue_date": "0001-01-01", "expiry_date": "9999-12-31"}, True),
])
def test_dates_at_the_calendar_ends_give_unknown_not_an_exception(text, licence, want):
    assert _all(text, _project(licence=licence)) == [want] * 5


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("text, want", [
    ("enterprise.injury_insurance.covered_ratio >= 0.9", U),
    ("enterprise.injury_insurance.covered_ratio != 0.9", U),
    ("enterprise.injury_insurance.covered_ratio + 1 between 0 and 2", U),
    ("exists(enterprise.injury_insurance.covered_ratio)", False),
    ("enterprise.injury_insurance.covered_ratio is missing", True),
])
def test_nan_and_infinity_read_as_not_filled_in(value, text, want):
    p = _project(enterprise={"injury_insurance": {"covered_ratio": value}})
    assert _all(text, p) == [want] * 5


@pytest.mark.parametrize("text, empty, missing", [
    ("any(accidents where deaths > 0)", False, U),
    ("all(accidents, deaths == 0)", True, U),
    ("count(accidents) == 0", True, U),
    ("sum(accidents, deaths) == 0", True, U),
    ("exists(accidents)", True, False),
])
def test_an_empty_list_is_known_a_missing_list_is_not(text, empty, missing):
    assert _all(text, _project(accidents=[])) == [empty] * 5
    assert _all(text, _project()) == [missing] * 5


# --- random expressions ----------------------------------------------------------------------

NUM_FACTS = ["enterprise.employees", "enterprise.injury_insurance.covered_ratio", "count(accidents)", "sum(accidents, deaths)"]
DATE_FACTS = ["licence.issue_date", "licence.expiry_date", "as_of"]
EDGE_DATES = ["1900-01-01", "2100-12-31", "2024-02-29", "0001-01-01", "9999-12-31"]


@st.composite
def numbers(draw, depth: int, scope: bool = False) -> str:
    leaves = NUM_FACTS + (["deaths"] if scope else [])
    choice = draw(st.integers(0, 4 if depth > 0 else 1))
    if choice == 0:
        return draw(st.sampled_from(leaves))
    if choice == 1:
        return str(draw(st.one_of(st.integers(-5, 5), st.integers(10**14, 10**17), st.just(0.5))))
    if choice == 2:
        return f"{draw(numbers(depth - 1, scope))} {draw(st.sampled_from('+-'))} {draw(numbers(depth - 1, scope))}"
    if choice == 3:
        return f"count(accidents where {draw(conditions(depth - 1, True))})"
    return f"days_between({draw(dates(depth - 1, scope))}, {draw(dates(depth - 1, scope))})"


@st.composite
def dates(draw, depth: int, scope: bool = False) -> str:
    leaves = DATE_FACTS + (["date"] if scope else [])
    choice = draw(st.integers(0, 2 if depth >= 0 else 1))
    if choice == 0:
        return draw(st.sampled_from(leaves))
    if choice == 1:
        return draw(st.sampled_from(EDGE_DATES))
    amount = draw(st.sampled_from([1, 3, 31, 200, 2400, 9000, 73000]))
    unit = draw(st.sampled_from(["days", "months", "years"]))
    return f"{draw(dates(depth - 1, scope))} {draw(st.sampled_from('+-'))} {amount} {unit}"


@st.composite
def conditions(draw, depth: int, scope: bool = False) -> str:
    choice = draw(st.integers(0, 10 if depth > 0 else 4))
    ops = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    if choice == 0:
        return draw(st.sampled_from(["true", "false", "enterprise.liability_insurance", 'enterprise.industry == "coal_mine"']))
    if choice == 1:
        return f"exists({draw(st.sampled_from(NUM_FACTS[:2] + DATE_FACTS[:2] + ['accidents']))})"
    if choice == 2:
        return 'enterprise.industry in ["coal_mine", "general"]'
    if choice == 3:
        return f"{draw(numbers(depth - 1, scope))} {draw(ops)} {draw(numbers(depth - 1, scope))}"
    if choice == 4:
        return f"{draw(dates(depth - 1, scope))} {draw(ops)} {draw(dates(depth - 1, scope))}"
    if choice == 5:
        return f"not {draw(conditions(depth - 1, scope))}"
    if choice == 6:
        return f"({draw(conditions(depth - 1, scope))} {draw(st.sampled_from(['and', 'or']))} {draw(conditions(depth - 1, scope))})"
    if choice == 7:
        return f"any(accidents where {draw(conditions(depth - 1, True))})"
    if choice == 8:
        return f"all(accidents, {draw(conditions(depth - 1, True))})"
    if choice == 9:
        return f"{draw(numbers(depth - 1, scope))} between {draw(numbers(depth - 1, scope))} and {draw(numbers(depth - 1, scope))}"
    return f"({draw(conditions(depth - 1, scope))})"


@st.composite
def texts(draw) -> str:
    """A condition, sometimes with a deep spine of not / + / any past the limits."""
    text = draw(conditions(draw(st.integers(0, 6))))
    spine = draw(st.sampled_from(["", "not ", "any(accidents where ", "exists("]))
    times = draw(st.integers(0, 40)) if spine else 0
    if spine.endswith("("):
        inner = "deaths > 0" if spine.startswith("any") else "licence.issue_date"
        return spine * times + inner + ")" * times if times else text
    return spine * times + text


FACT_DATES = st.sampled_from([None, dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1900, 1, 1), dt.date(2024, 2, 29)])
FACT_NUMBERS = st.sampled_from([None, 0.0, 0.95, math.nan, math.inf, -math.inf, 1e300])


@st.composite
def projects(draw) -> ProjectFile:
    licence = {k: v for k, v in (("issue_date", draw(FACT_DATES)), ("expiry_date", draw(FACT_DATES))) if v is not None}
    enterprise = {"industry": draw(st.sampled_from(["coal_mine", "general"]))}
    employees = draw(st.sampled_from([None, 0, 5, 10**17]))
    if employees is not None:
        enterprise["employees"] = employees
    ratio = draw(FACT_NUMBERS)
    if ratio is not None:
        enterprise["injury_insurance"] = {"covered_ratio": ratio}
    accident = st.fixed_dictionaries({"date": FACT_DATES.filter(bool)}, optional={"deaths": st.integers(0, 3)})
    accidents = draw(st.one_of(st.none(), st.lists(accident, max_size=3)))
    extra = {"licence": licence} if licence else {}
    if accidents is not None:
        extra["accidents"] = accidents
    return _project(enterprise=enterprise, **extra)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts(), st.lists(projects(), min_size=1, max_size=3), FACT_DATES.filter(bool))  # evaluation always has a date
def test_random_expressions_are_refused_with_a_position_or_evaluated_alike(text, files, as_of):
    try:
        node = parse(text)
    except OffsetError as e:
        assert e.code.startswith("E3") and 0 <= e.offset <= len(text), (e, text)
        return
    checked = check_condition(node)
    if checked.errors:
        assert all(0 <= e.offset <= len(text) for e in checked.errors)
        return
    fns = [
        lambda p: interpret(node, checked, p, as_of),
        lambda p, f=compile_expr(node, checked): f((p, as_of, None)),
        lambda p, f=compile_expr(node, checked, traced=True): f((p, as_of, Trace())),
        lambda p, f=compile_fast(node, checked): f((p, as_of, None)),
        lambda p, f=compile_recorder(node, checked): f((p, as_of, None), {}),
    ]
    for p in files:
        values = [fn(p) for fn in fns]
        assert all(v is U or v in (True, False) for v in values), (text, values)
        assert values.count(values[0]) == len(values), (text, p, values)
