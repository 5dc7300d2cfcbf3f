"""Every Python example and every ``approval-rules`` command in the README and docs runs as written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from examples import ROOT, blocks, commands

PYTHON = blocks("python")
CLI = commands("approval-rules ")


def test_there_are_examples_to_run():
    assert len(PYTHON) >= 1 and len(CLI) >= 5


@pytest.mark.parametrize("where,code", PYTHON, ids=[w for w, _ in PYTHON])
def test_python_example_runs(where, code):
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"{where}\n{r.stderr}"


def test_cli_examples_run_in_order(tmp_path):
    # In order, in one directory: later examples read what earlier ones wrote (big.jsonl, results.sqlite).
    (tmp_path / "cases").symlink_to(ROOT / "cases")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for where, line in CLI:
        if " serve" in line:
            continue
        r = subprocess.run(["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, f"{where}: {line}\n{r.stderr[-2000:]}"
    assert (tmp_path / "report.html").stat().st_size > 0


def test_a_dict_from_an_integrator_gets_chinese_diagnostics_not_pydantic_english():
    from approval_rules import ProjectFileError, validate_project

    with pytest.raises(ProjectFileError) as err:
        validate_project({"format_version": 2, "application": {"kind": "licence_extensio"}}, "request-1")
    text = err.value.render()
    assert "request-1" in text and "是否指" in text and "Input should" not in text
