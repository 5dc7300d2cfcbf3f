"""The lower bounds in pyproject.toml are tested, not guessed: in a fresh virtual environment with
the lowest supported core dependencies (constraints/minimum.txt), every bundled case still passes
and ``check`` decides a file. Needs the package index (PyPI) to install them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
CONSTRAINTS = ROOT / "constraints" / "minimum.txt"
CASE = ROOT / "cases" / "three-simultaneous" / "real-approve-lifecycle-2-design-review.yaml"


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH would let the venv import the checkout's package instead of the installed one.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def _norm(name: str) -> str:
    # pip lists typing_extensions for typing-extensions (PEP 503 names compare normalised)
    return re.sub(r"[-_.]+", "-", name).lower()


def test_lowest_supported_versions_pass_the_bundled_cases(tmp_path: Path) -> None:
    pinned = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", CONSTRAINTS.read_text(encoding="utf-8"), re.M))
    assert set(pinned) == {"pydantic", "PyYAML", "click", "jinja2", "typing-extensions"}
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    install = _run([str(bin_dir / "pip"), "install", "-q", "-c", str(CONSTRAINTS), str(ROOT)], tmp_path)
    assert install.returncode == 0, install.stderr
    listed = _run([str(bin_dir / "pip"), "list", "--format=freeze"], tmp_path).stdout
    installed = {_norm(k): v for k, v in re.findall(r"^([^=\s]+)==(\S+)$", listed, re.M)}
    assert {_norm(k): v for k, v in pinned.items()} == {_norm(k): installed.get(_norm(k)) for k in pinned}

    cases = _run([str(bin_dir / "approval-rules"), "test"], tmp_path)
    assert cases.returncode == 0, cases.stdout + cases.stderr
    assert "不通过 0" in cases.stdout + cases.stderr

    check = _run([str(bin_dir / "approval-rules"), "check", "--format", "json", str(CASE)], tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert '"decision": "approve"' in check.stdout

    schema = _run([str(bin_dir / "approval-rules"), "schema", "decision"], tmp_path)
    assert schema.returncode == 0, schema.stderr
    assert '"DecisionDict"' in schema.stdout
