from __future__ import annotations

import json
import shutil

from approval_rules import load_rule_book
from approval_rules.cli import cli
from approval_rules.authoring.rulediff import compare_rules, diff

from conftest import bundled_cases, bundled_rules

VALIDITY = "licence-renewal/10-validity.yaml"


def _copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(bundled_rules(), target)
    return target


def test_layout_only_changes_are_not_changes(tmp_path, book):
    new = _copy(tmp_path)
    path = new / VALIDITY
    text = path.read_text(encoding="utf-8")
    assert "require: application.submitted_date <= licence.expiry_date - 3 months" in text
    text = text.replace("require: application.submitted_date <= licence.expiry_date - 3 months",
                        "require: |\n      application.submitted_date\n        <= licence.expiry_date - 3 months")
    path.write_text(text, encoding="utf-8")
    assert compare_rules(book, load_rule_book(new)) == []


def test_a_changed_requirement_and_the_cases_it_moves(tmp_path, book, runner):
    new = _copy(tmp_path)
    path = new / VALIDITY
    text = path.read_text(encoding="utf-8")
    line = "require: application.submitted_date <= licence.expiry_date - 3 months"
    assert text.count(line) == 1
    path.write_text(text.replace(line, line.replace("3 months", "4 months")), encoding="utf-8")
    result = diff(book, load_rule_book(new), [bundled_cases()])
    assert [(c.rule_id, c.kind, c.aspects) for c in result.rules] == [("TS-LIC-VAL-002", "changed", ["要求"])]
    moved = {c.case_id: c for c in result.cases}
    assert moved and all("TS-LIC-VAL-002" in c.added + c.removed for c in moved.values())
    r = runner.invoke(cli, ["diff", str(bundled_rules()), str(new), "--format", "json"])
    data = json.loads(r.stdout)
    assert data["rules"][0]["rule_id"] == "TS-LIC-VAL-002"
    assert r.exit_code == (1 if data["decisions_changed"] else 0)


def test_a_decision_change_exits_1(tmp_path, runner):
    new = _copy(tmp_path)
    for f in (new / "licence-renewal").glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        f.write_text(text.replace("effect: refer", "effect: reject"), encoding="utf-8")
    r = runner.invoke(cli, ["diff", str(bundled_rules()), str(new)])
    assert r.exit_code == 1
    assert "不予许可" in r.output and "→" in r.output


def test_added_and_removed_rules(tmp_path, book):
    new = _copy(tmp_path)
    (new / "licence-renewal" / "10-validity.yaml").unlink()
    changes = compare_rules(book, load_rule_book(new))
    assert changes and {c.kind for c in changes} == {"removed"}
    changes = compare_rules(load_rule_book(new), book)
    assert {c.kind for c in changes} == {"added"}


def test_each_changed_field_shown_old_and_new(tmp_path, book, runner):
    new = _copy(tmp_path)
    path = new / VALIDITY
    text = path.read_text(encoding="utf-8")
    line = "require: application.submitted_date <= licence.expiry_date - 3 months"
    path.write_text(text.replace(line, line.replace("3 months", "4 months")), encoding="utf-8")
    r = runner.invoke(cli, ["diff", str(bundled_rules()), str(new), "--format", "json"])
    rule = json.loads(r.stdout)["rules"][0]
    assert rule["changes"] == [{
        "field": "require",
        "old": "application.submitted_date <= licence.expiry_date - 3 months",
        "new": "application.submitted_date <= licence.expiry_date - 4 months",
    }]
    r = runner.invoke(cli, ["diff", str(bundled_rules()), str(new)])
    assert "    要求\n      旧：application.submitted_date <= licence.expiry_date - 3 months\n" \
           "      新：application.submitted_date <= licence.expiry_date - 4 months\n" in r.output


def test_effect_and_citation_changes_read_as_the_catalogue_words_them(tmp_path, book):
    new = _copy(tmp_path)
    path = new / VALIDITY
    text = path.read_text(encoding="utf-8")
    for old, edit in (("    effect: info\n    legal_effect: notice\n    message: \"延期申请于", "    effect: refer\n    message: \"延期申请于"),
                      ("而不适用。\"\n    cite:\n      - {source: licence-regulation, article: 9, clause: 1, verified: true}\n",
                       "而不适用。\"\n    cite:\n      - {source: licence-regulation, article: 9, clause: 1, verified: false}\n")):
        assert text.count(old) == 1, old
        text = text.replace(old, edit)
    path.write_text(text, encoding="utf-8")
    (change,) = compare_rules(book, load_rule_book(new))
    assert change.rule_id == "TS-LIC-VAL-002"
    fields = {c.field: c for c in change.changes}
    assert set(fields) == {"effect", "citations"}
    assert fields["effect"].old.startswith("提示") and fields["effect"].new.startswith("转人工")
    assert not any("〔未核实〕" in c for c in fields["citations"].old)
    assert fields["citations"].new[0].endswith("第九条第一款〔未核实〕")
