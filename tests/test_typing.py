"""The package ships py.typed, so integrators type-check their code against it: it passes
``mypy --strict`` itself, with the settings in pyproject.toml ([tool.mypy])."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import approval_rules

ROOT = Path(__file__).parents[1]
# The source tree when there is one: a package installed into .venv beside it would make mypy take
# site-packages for a source root, where every installed module "shadows" itself.
PKG = ROOT / "src" / "approval_rules" if (ROOT / "src" / "approval_rules").is_dir() else Path(approval_rules.__file__).parent


def test_mypy_strict_passes(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(tmp_path / "cache"), str(PKG)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
