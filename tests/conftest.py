"""Shared fixtures: the bundled rule book (compiled once per session) and a CLI runner."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from approval_rules import load_rule_book
from approval_rules.core.bundled import cases_dir, rules_dir

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
# Mirrors the marker on durable-rules in pyproject's extras: 2.0.28 does not import on 3.13+.
# There the durable backend's own tests are not collected and the differential tests compare the
# other two backends; test_engine checks that asking for durable says why in Chinese.
DURABLE_SUPPORTED = sys.version_info < (3, 13)
collect_ignore = [] if DURABLE_SUPPORTED else ["engine/test_durable_backend.py"]
EXPECT = re.compile(r"(E\d{3}|W\d{3})\D+(\d+):(\d+)")


@pytest.fixture(scope="session")
def book():
    return load_rule_book()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def rule_set(tmp_path):
    """Make a one-file rule set under the fixture header; returns its directory."""

    def make(rules_yaml: str, name: str = "10-rules.yaml") -> Path:
        target = tmp_path / "set"
        shutil.copytree(DATA / "ruleset_header", target)
        (target / name).write_text(rules_yaml, encoding="utf-8")
        return target

    return make


def bundled_rules() -> Path:
    return rules_dir()


def bundled_cases() -> Path:
    return cases_dir()


def _short_pretty(self, printer, cycle):
    # Hypothesis pretty-prints a failing example field by field; a ProjectFile's hundreds of nested
    # fields took minutes and gigabytes. Its JSON, cut short, says enough to reproduce.
    printer.text(f"ProjectFile({self.model_dump_json(exclude_none=True)[:3000]})")


from approval_rules.model.project import ProjectFile as _ProjectFile  # noqa: E402

_ProjectFile._repr_pretty_ = _short_pretty
