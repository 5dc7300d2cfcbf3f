"""Invariants over generated inputs (hypothesis)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approval_rules.engine.book import RuleBook
from approval_rules.core.diagnostics import ProjectFileError
from approval_rules.engine.evaluator import evaluate
from approval_rules.lang.interpreter import interpret
from approval_rules.ruleset.loader import parse_project, validate_project
from approval_rules.model.project import ProjectFile
from approval_rules.ruleset.yamlsource import load_yaml

from conftest import bundled_cases
from strategies import bundled_case_dicts, leaf_paths, mutated, schema_projects, without

BASES = bundled_case_dicts(bundled_cases())
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
yaml_text = st.text(alphabet=st.sampled_from(list("ab:- \n\t[]{}'\"#&*!|>,.0129许可")), max_size=80)


def projects():
    return st.one_of(schema_projects(), mutated(BASES)) if BASES else schema_projects()


@SETTINGS
@given(yaml_text)
def test_a_loading_any_text_succeeds_or_fails_with_positions_inside_the_file(text):
    lines = text.splitlines() or [""]
    _, _, diags = load_yaml(text, "t.yaml")
    for d in diags:
        assert 1 <= d.pos.line <= len(lines) + 1
        assert 1 <= d.pos.col
    try:
        parse_project(text, "t.yaml")
    except ProjectFileError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            assert d.pos is None or 1 <= d.pos.line <= len(lines) + 1


@SETTINGS
@given(projects())
def test_b_evaluation_is_deterministic(book: RuleBook, p):
    assert evaluate(book, p).to_dict() == evaluate(book, p).to_dict()


@SETTINGS
@given(projects(), st.data())
def test_c_removing_a_fact_never_turns_a_decision_into_approve(book: RuleBook, p, data):
    before = evaluate(book, p)
    if before.decision == "approve":
        return
    raw = p.model_dump(mode="python", by_alias=True, exclude_none=True)
    paths = [q for q in leaf_paths(raw) if q not in (("application", "kind"), ("application", "submitted_date"), ("enterprise", "industry"))]
    if not paths:
        return
    path = data.draw(st.sampled_from(paths))
    try:
        smaller = ProjectFile.model_validate(without(raw, path))
    except Exception:  # noqa: BLE001 - removing a required field makes the file invalid, which is fine
        return
    assert evaluate(book, smaller, as_of=before.as_of).decision != "approve", path


@SETTINGS
@given(projects())
def test_d_every_reject_or_correction_cites_the_law(book: RuleBook, p):
    d = evaluate(book, p)
    if d.decision in ("reject", "needs_correction"):
        deciding = [f for f in d.findings if f.contributes == d.decision]
        assert deciding and all(f.citations for f in deciding)


@SETTINGS
@given(projects())
def test_e_compiled_closures_agree_with_the_reference_interpreter(book: RuleBook, p):
    day = p.decision_date or p.application.submitted_date
    for rule in book.active(day):
        defs = {n: (d.node, d.checked) for n, d in rule.definitions.items()}
        for cond in (rule.when, rule.require):
            fast = cond.fast((p, day, None))
            ref = interpret(cond.node, cond.checked, p, day, defs)
            assert fast is ref or fast == ref, (rule.id, cond.text, fast, ref)


def test_bundled_cases_feed_the_properties():
    assert len(BASES) >= 40


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5000) | st.sampled_from(["2021-09-01", "2021-9-1", "2021-02-30", "2021-09-01T00:00:00", "是", "high", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["kind", "date", "has", "x"]), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def json_texts(draw):
    """Project JSON as a batch would send it: a valid project, or one with a leaf replaced by junk."""
    p = draw(projects())
    data = p.model_dump(mode="json", by_alias=True, exclude_none=True)
    paths = list(leaf_paths(data))
    if paths and draw(st.booleans()):
        path = draw(st.sampled_from(paths))
        cur = data
        for k in path[:-1]:
            cur = cur[k]
        cur[path[-1]] = draw(json_values)
    return json.dumps(data, ensure_ascii=False)


@SETTINGS
@given(json_texts())
def test_f_the_json_fast_path_accepts_and_builds_exactly_what_the_positioned_path_does(text):
    def outcome(parse):
        try:
            return parse().project.model_dump(mode="json")
        except ProjectFileError as exc:
            return ("refused", bool(exc.diagnostics))

    fast = outcome(lambda: parse_project(text, "p.json"))
    slow = outcome(lambda: validate_project(json.loads(text), "p.json", text))
    assert fast == slow
