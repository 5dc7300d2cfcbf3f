"""The comparison's committed results render as the README table, and its translators run
without the peers installed (the peers' own answers are checked by compare.py itself)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import cedar_translate
import compare
import zen_translate


def test_markdown_table_has_a_row_per_configuration():
    data = json.loads((BENCH / "compare-results.json").read_text())
    table = compare.markdown(data)
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| configuration")]
    assert [row.split(" | ")[0][2:] for row in rows] == [r["engine"] for r in data["results"]]
    assert data["meta"]["command"] in table
    for key in ("cpu", "cores", "python"):
        assert data["meta"]["machine"][key]


def test_translators_express_rules_and_count_the_rest(book):
    rules, fields = zen_translate.translate(book)
    assert 0 < len(rules) <= len(book.rules) and set(fields) == {id(r) for r, _, _ in rules}
    policies, read = cedar_translate.translate(book)
    assert 0 < len(policies) <= len(book.rules) and set(read) == set(policies)
    text, owners = cedar_translate.policy_set(book.rules, policies)
    assert text.count("forbid (") == len(owners)
