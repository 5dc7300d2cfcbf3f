"""Lint: each check has its code and a bad file; the bundled rules lint clean of errors."""

from __future__ import annotations

import re
import shutil

import pytest

from approval_rules.authoring.lint import lint

from conftest import DATA, bundled_rules

LINT_FILES = sorted((DATA / "lint").glob("*.yaml"))


def _expected(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    return [(c, int(line), int(col)) for c, line, col in re.findall(r"(\w\d{3}) (\d+):(\d+)", first)]


@pytest.mark.parametrize("path", LINT_FILES, ids=lambda p: p.name)
def test_lint_check(path, tmp_path):
    target = tmp_path / "set"
    shutil.copytree(DATA / "ruleset_header", target)
    shutil.copy(path, target / path.name)
    report = lint(target)
    got = [(d.code, d.pos.line, d.pos.col) for d in report.diagnostics]
    assert got == _expected(path)
    assert all("提示" not in d.message for d in report.diagnostics)


def test_every_lint_code_has_a_file():
    codes = {c for p in LINT_FILES for c, _, _ in _expected(p)}
    assert {"W501", "W502", "W503", "W504", "W505", "E307"} <= codes


def test_bundled_rules_lint_clean_of_errors():
    report = lint(bundled_rules())
    assert report.errors == [], "\n".join(d.render() for d in report.errors)
    assert report.rules >= 100


def test_summary_counts_unverified_citations(tmp_path):
    target = tmp_path / "set"
    shutil.copytree(DATA / "ruleset_header", target)
    shutil.copy(DATA / "lint" / "W501-unverified-citation.yaml", target / "10.yaml")
    assert "未核实的引用 1 处" in lint(target).summary()


def test_a_broken_copy_of_a_bundled_rule_set_gives_exactly_the_expected_diagnostics(tmp_path):
    """A misspelt fact, an article the law version does not have, and a duplicate id, each at its line:col."""
    target = tmp_path / "licence-renewal"
    shutil.copytree(bundled_rules() / "licence-renewal", target)
    validity, supervision = target / "10-validity.yaml", target / "60-supervision.yaml"

    def edit(path, old, new):
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new), encoding="utf-8")
        before = text[: text.index(old)]
        return before.count("\n") + 1, len(before) - before.rfind("\n")  # line, col of the edit

    # 1. misspelt fact in TS-LIC-VAL-002's requirement: reported at the misspelt path
    line, col = edit(validity, "require: application.submitted_date <= licence.expiry_date - 3 months",
                     "require: application.submitted_date <= licence.expiry_dat - 3 months")
    fact = (line, col + len("require: application.submitted_date <= "))
    # 2. an article the 2021 安全生产法 (119 articles) does not have: reported at the article number
    line, col = edit(supervision, "{source: work-safety-law, version: 2021-09-01, article: 63, verified: true}",
                     "{source: work-safety-law, version: 2021-09-01, article: 163, verified: true}")
    article = (line, col + len("{source: work-safety-law, version: 2021-09-01, article: "))
    # 3. TS-LIC-EXP-002 renamed to TS-LIC-VAL-001, whose effective period is the same: reported at the id
    line, col = edit(validity, "  - id: TS-LIC-EXP-002\n", "  - id: TS-LIC-VAL-001\n")
    duplicate = (line, col + len("  - id: "))

    report = lint(target)
    got = [(d.code, d.pos.file.rsplit("/", 1)[-1], d.pos.line, d.pos.col) for d in report.errors]
    assert sorted(got) == sorted([
        ("E302", "10-validity.yaml", *fact),
        ("E210", "10-validity.yaml", *duplicate),
        ("E218", "60-supervision.yaml", *article),
    ])
    by_code = {d.code: d for d in report.errors}
    assert by_code["E302"].hint == "是否指「licence.expiry_date」？"
    assert "第 163 条" in by_code["E218"].message
    assert by_code["E210"].rule_id == "TS-LIC-VAL-001"


def test_unverified_citations_are_one_line_unless_asked_for(tmp_path):
    from click.testing import CliRunner

    from approval_rules.cli import cli

    target = tmp_path / "set"
    shutil.copytree(DATA / "ruleset_header", target)
    shutil.copy(DATA / "lint" / "W501-unverified-citation.yaml", target / "10.yaml")
    brief = CliRunner().invoke(cli, ["lint", str(target)])
    assert "W501" not in brief.output and "未核实的引用 1 处未逐条列出" in brief.output
    full = CliRunner().invoke(cli, ["lint", "--show-unverified", str(target)])
    assert "W501" in full.output and "未逐条列出" not in full.output
    assert brief.exit_code == full.exit_code == 0
