"""Hostile input: no crash, no fail-open, nothing lost (issue 10).

Each test is a property over generated files, so that a new instance of a known class of
defect (a float field added to the model, a tag on another node, a deeper file) is found too.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approval_rules.core.diagnostics import ProjectFileError, RulesError
from approval_rules.model import facts
from approval_rules.ruleset.loader import load_project, load_rules, parse_project
from approval_rules.ruleset.yamlsource import MAX_DEPTH, load_yaml

from conftest import DATA, ROOT
from strategies import bundled_case_dicts

CASES = bundled_case_dicts(ROOT / "cases")
FLOAT_PATHS = [p for p, f in facts.walk() if f.type.kind == "number"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def codes(text: str, source: str) -> list[str]:
    """The diagnostic codes for ``text``; anything but ProjectFileError fails the test."""
    try:
        parse_project(text, source)
    except ProjectFileError as exc:
        return [d.code for d in exc.diagnostics]
    return []


def put(data: dict, dotted: str, value) -> dict:
    """``data`` with ``value`` at a ``a.b[].c`` path (lists get one element)."""
    out = json.loads(json.dumps(data, default=str))
    node = out
    names = dotted.split(".")
    for name in names[:-1]:
        is_list = name.endswith("[]")
        name = name.removesuffix("[]")
        node = node.setdefault(name, [{}] if is_list else {})
        if is_list:
            node = node[0] if node and isinstance(node[0], dict) else node.__setitem__(0, {}) or node[0]
    node[names[-1]] = value
    return out


@pytest.mark.parametrize("path", FLOAT_PATHS)
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_every_float_field_refuses_nan_and_infinity(path, value):
    data = put(CASES[0], path, value)
    assert "E206" in codes(json.dumps(data, ensure_ascii=False), "x.json")
    assert "E206" in codes(yaml.safe_dump(data, allow_unicode=True), "x.yaml")


@SETTINGS
@given(depth=st.integers(1, 2000), kind=st.sampled_from(["json", "flow", "block"]))
def test_any_nesting_depth_is_a_diagnostic_never_a_crash(depth, kind):
    if kind == "block":
        text = "".join(" " * (2 * i) + "- \n" for i in range(min(depth, 300)))
        depth = min(depth, 300)
    else:
        text = "[" * depth + "]" * depth
    got = codes(text, "x.json" if kind == "json" else "x.yaml")
    assert got, "a list is never a project file"
    assert ("E106" in got) == (depth > MAX_DEPTH)


@SETTINGS
@given(value=st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=20))
def test_any_text_in_a_string_field_never_crashes(value):
    data = put(CASES[0], "enterprise.name", value)
    for text, source in ((json.dumps(data), "x.json"), (json.dumps(data), "x.yaml")):
        got = codes(text, source)
        if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            assert "E107" in got or "E101" in got


TAGS = ["!!set", "!!omap", "!!pairs", "!!binary", "!!python/object:os.system", "!!python/name:os.system",
        "!custom", "!x", "!!value", "!<tag:example.com,2000:app/foo>"]


@SETTINGS
@given(tag=st.sampled_from(TAGS), index=st.integers(0, 10_000))
def test_a_tag_on_any_node_is_refused(tag, index):
    lines = yaml.safe_dump(CASES[0], allow_unicode=True).splitlines()
    candidates = [i for i, line in enumerate(lines) if ": " in line and not line.rstrip().endswith(":")]
    i = candidates[index % len(candidates)]
    key, _, value = lines[i].partition(": ")
    lines[i] = f"{key}: {tag} {value}"
    got = codes("\n".join(lines), "x.yaml")
    assert "E103" in got


@pytest.mark.parametrize("text", ["kind: !!set {a: 1}", "kind: !custom {a: 1}", "kind: !!omap [{a: 1}]", "kind: !!binary aGk="])
def test_tags_on_collections_are_refused_in_rule_files(tmp_path, text):
    target = tmp_path / "set"
    shutil.copytree(DATA / "ruleset_header", target)
    (target / "10-bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(target)
    # the refused value is not built; the file's other problems (no rules, unknown key) are listed too
    assert "E103" in [d.code for d in info.value.diagnostics]


@SETTINGS
@given(index=st.integers(0, 10_000))
def test_a_duplicate_json_key_names_both_positions(index):
    text = json.dumps(CASES[index % len(CASES)], ensure_ascii=False, indent=1, default=str)
    lines = text.splitlines()
    keyed = [i for i, line in enumerate(lines) if re.match(r'\s*"[^"]*": ', line) and line.rstrip().endswith(",")]  # a key, not a list item
    i = keyed[index % len(keyed)]
    lines.insert(i + 1, lines[i])  # the same key and value again, right after
    with pytest.raises(ProjectFileError) as info:
        parse_project("\n".join(lines), "x.json")
    diag = info.value.diagnostics[0]
    assert diag.code == "E102" and (diag.pos.line, diag.pos.col) == (i + 2, lines[i].index('"') + 1)
    assert f"第一次出现在第 {i + 1} 行第 {lines[i].index(chr(34)) + 1} 列" in diag.message


@pytest.mark.parametrize("number", ["9" * 31, "-" + "9" * 5000, "1" + "0" * 4300])
def test_integers_over_30_digits_are_refused(number):
    data = put(CASES[0], "enterprise.employees", 0)
    text = json.dumps(data).replace('"employees": 0', f'"employees": {number}')
    assert codes(text, "x.json") == ["E207"]
    assert codes(yaml.safe_dump(data).replace("employees: 0", f"employees: {number}"), "x.yaml") == ["E207"]


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_dates_outside_the_plausible_range_are_refused(day):
    data = put(CASES[0], "application.submitted_date", day)
    assert codes(json.dumps(data), "x.json") == ["E208"]
    assert codes(yaml.safe_dump(data).replace(f"'{day}'", day), "x.yaml") == ["E208"]


def test_a_licence_issued_after_it_expires_is_reported_at_the_expiry():
    data = put(put(CASES[0], "licence.issue_date", "2024-01-02"), "licence.expiry_date", "2024-01-01")
    text = json.dumps(data, indent=1)
    with pytest.raises(ProjectFileError) as info:
        parse_project(text, "x.json")
    (diag,) = info.value.diagnostics
    line = next(i for i, s in enumerate(text.splitlines(), 1) if '"expiry_date"' in s)
    assert diag.code == "E209" and diag.pos.line == line


def test_alias_and_merge_bombs_stop_early():
    laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
    merges = "m0: &m0 {k0: 1, k1: 2}\n" + "".join(f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}]}}\n" for i in range(1, 40))
    for text in (laughs, merges):
        start = time.perf_counter()
        _, _, diags = load_yaml(text, "x.yaml")
        assert "E105" in [d.code for d in diags] and time.perf_counter() - start < 5


def test_a_huge_value_is_quoted_short():
    data = put(CASES[0], "licence.status", "x" * 1_000_000)
    with pytest.raises(ProjectFileError) as info:
        parse_project(json.dumps(data), "x.json")
    assert len(info.value.render()) < 500 and "共 1000000 字" in info.value.render()


def test_bom_suffixless_json_and_unknown_format(tmp_path):
    text = json.dumps(CASES[0], ensure_ascii=False, default=str)
    path = tmp_path / "case.json"
    path.write_text("\ufeff" + text, encoding="utf-8")
    assert load_project(path).project == parse_project(text, "x.json").project
    assert parse_project("\ufeff" + text, "request-123").project == parse_project(text, "x.json").project
    with pytest.raises(ValueError, match="json 或 yaml"):
        parse_project(text, "x", "xml")


def test_control_character_and_second_document_are_placed_and_in_chinese():
    _, _, diags = load_yaml("a: 1\n" * 29 + 'b: "\x07"\n', "x.yaml")
    assert [(d.code, d.pos.line, d.pos.col) for d in diags] == [("E101", 30, 5)]
    _, _, diags = load_yaml("a: 1\n---\nb: 2\n", "x.yaml")
    assert diags[0].pos.line == 2 and "YAML 文档" in diags[0].message


@pytest.mark.parametrize("tagged", ["materials: !!map\n  application_form: {}\n", "materials:\n  application_form: !!map {note: a}\n",
                                    "personnel: !!seq []\n"])
def test_explicit_collection_tags_are_refused_too(tagged):
    with pytest.raises(ProjectFileError) as err:
        parse_project("format_version: 2\n" + tagged, "x.yaml")
    assert any(d.code == "E103" and "!!" in d.message for d in err.value.diagnostics)
