"""``approval-rules migrate``: old project files become current ones and mean the same."""

from __future__ import annotations

import json
import shutil

from approval_rules import evaluate
from approval_rules.cli import cli
from approval_rules.ruleset.loader import load_project

from conftest import bundled_cases


def test_every_bundled_case_migrates_to_the_same_decision(book, runner, tmp_path):
    for src in sorted(bundled_cases().rglob("*.yaml")):
        dst = tmp_path / src.name
        shutil.copy(src, dst)
        before = evaluate(book, load_project(src).project).to_dict()
        r = runner.invoke(cli, ["migrate", str(dst)])
        assert r.exit_code == 0, r.output
        migrated = load_project(dst)
        assert migrated.project.format_version == 2
        assert evaluate(book, migrated.project).to_dict() == before, src
        text = dst.read_text(encoding="utf-8")
        assert text.count("format_version") == 1
        first = src.read_text(encoding="utf-8").splitlines()[0]
        if first.startswith("#"):
            assert text.splitlines()[0] == first  # comments stay where they were


def test_check_reports_without_writing_and_current_files_are_left_alone(runner, tmp_path):
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"application": {"kind": "x"}, "personnel": []}, ensure_ascii=False), encoding="utf-8")
    r = runner.invoke(cli, ["migrate", "--check", str(old)])
    assert r.exit_code == 1 and "需要迁移" in r.output
    assert "format_version" not in old.read_text(encoding="utf-8")
    assert runner.invoke(cli, ["migrate", str(old)]).exit_code == 0
    data = json.loads(old.read_text(encoding="utf-8"))
    assert data["format_version"] == 2 and data["personnel_complete"] is True
    assert runner.invoke(cli, ["migrate", "--check", str(old)]).exit_code == 0


def test_json_lines_are_migrated_line_by_line_and_a_broken_file_is_reported(runner, tmp_path):
    lines = tmp_path / "in.jsonl"
    lines.write_text('{"a": 1, "equipment": []}\n{"format_version": 2}\n', encoding="utf-8")
    assert runner.invoke(cli, ["migrate", str(lines)]).exit_code == 0
    first, second = (json.loads(x) for x in lines.read_text(encoding="utf-8").splitlines())
    assert first == {"format_version": 2, "a": 1, "equipment": [], "equipment_complete": True}
    assert second == {"format_version": 2}
    broken = tmp_path / "bad.json"
    broken.write_text("{not json", encoding="utf-8")
    r = runner.invoke(cli, ["migrate", str(broken)])
    assert r.exit_code == 2 and "无法迁移" in r.output
