from __future__ import annotations

import pytest

from approval_rules.core.diagnostics import ProjectFileError, RulesError
from approval_rules.ruleset.loader import load_rules, parse_project
from approval_rules.ruleset.yamlsource import load_yaml

YAML = """case_id: x
application:
  kind: licence_extension
  submitted_date: 2024-03-15
enterprise: {industry: coal_mine}
"""


def test_yaml_and_json_give_the_same_project():
    y = parse_project(YAML, "a.yaml").project
    j = parse_project(
        '{"case_id": "x", "application": {"kind": "licence_extension", "submitted_date": "2024-03-15"}, "enterprise": {"industry": "coal_mine"}}',
        "a.json",
    ).project
    assert y == j


def test_every_problem_at_once_with_positions():
    text = YAML.replace("coal_mine", "coal_mien") + "licence: {expiry_dat: 2024-06-15, status: vaild}\n"
    with pytest.raises(ProjectFileError) as info:
        parse_project(text, "bad.yaml")
    got = [(d.code, d.pos.line, d.pos.col) for d in info.value.diagnostics]
    assert got == [("E204", 5, 24), ("E202", 6, 11), ("E204", 6, 43)]
    assert "是否指「coal_mine」？" in info.value.render()


def test_json_errors_are_positioned_too():
    with pytest.raises(ProjectFileError) as info:
        parse_project('{"application": {"kind": "licence_extension",\n "submitted_date": "2024-3-15"}, "enterprise": {"industry": "coal_mine"}}', "a.json")
    [d] = info.value.diagnostics
    assert (d.code, d.pos.line) == ("E205", 2)


@pytest.mark.parametrize("text, message", [
    ('{"application": {"kind": "licence_extension",}}', "多了逗号|双引号括起的键"),  # 3.13 words it differently
    ('{"application": {"kind": \'coal\'}}', "此处应是一个值"),
    ('{"application": {"kind": "licence_extension"}} x', "多余字符"),
])
def test_json_syntax_errors_are_told_in_chinese(text, message):
    import re

    with pytest.raises(ProjectFileError) as info:
        parse_project(text, "a.json")
    [d] = info.value.diagnostics
    assert d.code == "E101" and d.pos.line == 1 and re.search(message, d.message), d.message
    assert not re.search("[A-Za-z]{4,}", d.message.split("：", 1)[1]), d.message


def test_expect_block_is_split_off():
    loaded = parse_project(YAML + "expect:\n  decision: approve\n  findings: [A-1]\n", "c.yaml")
    assert loaded.expect.decision == "approve" and loaded.expect.findings == ["A-1"]
    assert loaded.expect_line == 6


def test_top_level_must_be_a_mapping():
    with pytest.raises(ProjectFileError):
        parse_project("- a\n- b\n", "l.yaml")


def test_yaml_source_map_positions():
    data, smap, diags = load_yaml("a:\n  b: [1, 2]\n  c: |\n    x == 1\n    and y\n", "f.yaml")
    assert diags == [] and data == {"a": {"b": [1, 2], "c": "x == 1\nand y\n"}}
    assert (smap.value(("a", "b", 1)).line, smap.value(("a", "b", 1)).col) == (2, 10)
    assert smap.key(("a", "c")).line == 3
    pos = smap.offset(("a", "c"), 11)  # "y" on the second line of the block
    assert (pos.line, pos.col) == (5, 9)


def test_alias_bomb_is_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    _, _, diags = load_yaml(bomb, "bomb.yaml")
    assert [d.code for d in diags] == ["E105"]


def test_empty_rules_directory(tmp_path):
    with pytest.raises(RulesError) as info:
        load_rules(tmp_path)
    assert info.value.diagnostics[0].code == "E215"


def test_non_utf8_file(rule_set):
    d = rule_set("rules: []\n")
    (d / "20-latin.yaml").write_bytes("chapter: \xe9\n".encode("latin-1"))
    with pytest.raises(RulesError) as info:
        load_rules(d)
    assert [x.code for x in info.value.diagnostics] == ["E104"]


def test_positions_inside_folded_and_plain_multiline_scalars():
    text = "a: >-\n  x == 1\n  and yy\nb: first part\n   and second\n"
    data, smap, _ = load_yaml(text, "f.yaml")
    assert data == {"a": "x == 1 and yy", "b": "first part and second"}
    assert (smap.offset(("a",), 11).line, smap.offset(("a",), 11).col) == (3, 7)  # "yy"
    assert (smap.offset(("b",), 15).line, smap.offset(("b",), 15).col) == (5, 8)  # "second"


def _every_yaml_file():
    from conftest import ROOT

    return sorted(p for d in ("rules", "cases", "tests/data") for p in (ROOT / d).rglob("*.yaml"))


def test_libyaml_and_pure_python_composition_give_the_same_data_positions_and_problems(monkeypatch):
    import yaml

    if getattr(yaml, "CSafeLoader", None) is None:
        pytest.fail("PyYAML without libyaml: the fast path this test compares is not installed")
    files = _every_yaml_file()
    fast = [load_yaml(p.read_text(encoding="utf-8"), str(p)) for p in files]
    monkeypatch.delattr(yaml, "CSafeLoader")
    slow = [load_yaml(p.read_text(encoding="utf-8"), str(p)) for p in files]
    assert len(files) > 200
    for path, (fd, fm, fdiags), (sd, sm, sdiags) in zip(files, fast, slow):
        assert (fd, fm.values, fm.keys, fm.scalars, fdiags) == (sd, sm.values, sm.keys, sm.scalars, sdiags), path
