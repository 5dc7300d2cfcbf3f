"""Lint: each check has its code and a bad file; the bundled rules lint clean of errors."""

from __future__ import annotations

import re
import shutil

import pytest

from approval_rules.lint import lint

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
