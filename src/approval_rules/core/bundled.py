"""Where the bundled rule sets and example cases are, installed or in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _locate(name: str) -> Path:
    installed = Path(str(resources.files("approval_rules"))) / "_bundled" / name
    if installed.is_dir():
        return installed
    # An editable install or a source checkout: the directories sit at the repository root.
    return Path(__file__).resolve().parents[3] / name


def rules_dir() -> Path:
    return _locate("rules")


def cases_dir() -> Path:
    return _locate("cases")
