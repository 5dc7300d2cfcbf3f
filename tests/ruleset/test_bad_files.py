"""One defect per file: each must give exactly its expected code at its expected line:col."""

from __future__ import annotations

import re
import shutil

import pytest

from approval_rules.engine.compiler import compile_rules
from approval_rules.core.diagnostics import ProjectFileError, RulesError
from approval_rules.ruleset.loader import load_project, load_rules

from conftest import DATA

BAD_RULES = sorted((DATA / "bad_rules").glob("*.yaml"))
BAD_CASES = sorted((DATA / "bad_cases").glob("*"))


def _expected(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = re.match(r"# expect: (\w+) (\d+):(\d+)", first)
    if m is None:  # JSON cannot carry a comment: the name says it, E202-L3C43-...
        m = re.match(r"(\w+)-L(\d+)C(\d+)", path.name)
    assert m, f"{path.name} declares no expectation"
    return m.group(1), int(m.group(2)), int(m.group(3))


@pytest.mark.parametrize("path", BAD_RULES, ids=lambda p: p.name)
def test_bad_rule_file(path, tmp_path):
    target = tmp_path / "set"
    shutil.copytree(DATA / "ruleset_header", target)
    shutil.copy(path, target / path.name)
    with pytest.raises(RulesError) as info:
        compile_rules(load_rules(target))
    got = [(d.code, d.pos.line, d.pos.col) for d in info.value.diagnostics]
    assert got == [_expected(path)]
    diag = info.value.diagnostics[0]
    assert diag.pos.file.endswith(path.name)
    assert diag.message and "Traceback" not in diag.render()


@pytest.mark.parametrize("path", BAD_CASES, ids=lambda p: p.name)
def test_bad_project_file(path):
    with pytest.raises(ProjectFileError) as info:
        load_project(path)
    got = [(d.code, d.pos.line, d.pos.col) for d in info.value.diagnostics]
    assert got == [_expected(path)]


def test_every_error_code_of_the_loader_and_compiler_has_a_bad_file():
    codes = {_expected(p)[0] for p in BAD_RULES + BAD_CASES}
    wanted = {"E101", "E102", "E201", "E202", "E203", "E204", "E205", "E210", "E211", "E212", "E213", "E214", "E218", "E219", "E221",
              "E216", "E217", "E220", "E301", "E302", "E303", "E304", "E305", "E306", "E307", "E308", "E309"}
    assert wanted <= codes
