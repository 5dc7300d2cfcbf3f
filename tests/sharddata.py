"""Shared by the sharding, merge and Dask tests: generated project files and a store of one run."""

from __future__ import annotations

import sqlite3

import pytest

from approval_rules.batch.synthetic import Generator, load_templates
from approval_rules.core.bundled import cases_dir, rules_dir

RULES = str(rules_dir())


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """200 generated project files as JSON Lines (seed 7)."""
    path = tmp_path_factory.mktemp("gen") / "cases.jsonl"
    path.write_text("".join(line + "\n" for line in Generator(load_templates(cases_dir()), 7).lines(200)), encoding="utf-8")
    return path


def cases_of(db) -> dict[str, tuple]:
    """A store's rows by identity: what a decision is and where it was read."""
    con = sqlite3.connect(db)
    try:
        return {r[0]: r[1:] for r in con.execute(
            "SELECT c.identity, c.source, c.case_id, c.decision, c.as_of, c.findings, c.passed, l.ids, c.notices"
            " FROM cases c LEFT JOIN id_lists l ON l.hash = c.na_ref")}
    finally:
        con.close()


def runs_of(db) -> list[dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM runs ORDER BY id")]
    finally:
        con.close()
