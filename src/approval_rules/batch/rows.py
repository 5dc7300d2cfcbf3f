"""A screened input as plain values (``Row``), its identity in the store, and its decision contract.

A worker returns a ``Row``; the store keeps one per identity; the exports and the report read them.
This module imports nothing else from the package, so that workers and the store share it cheaply.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

DECISIONS = ("approve", "reject", "needs_correction", "refer")


class Row(NamedTuple):
    """One screened input, as plain values: what a worker returns and what the store keeps.

    ``findings``, ``passed`` and ``not_applicable`` are JSON text exactly as ``json.dumps`` of the
    decision contract's parts gives them; ``errors`` is JSON text of the diagnostics of an error row.
    ``enterprise``, ``credit_code`` and ``application_id`` are the project file's
    ``enterprise.name``, ``enterprise.uscc`` (统一社会信用代码) and ``application.id``, where given.
    """

    source: str
    case_id: str
    decision: str  # approve | reject | needs_correction | refer | error
    as_of: str | None
    findings: str | None
    passed: str | None
    not_applicable: str | None
    failing: str  # the finding rule ids, space-separated (an error row: the diagnostic codes)
    applied: str  # the rule sets that had a rule applicable to the case, space-separated
    errors: str | None
    input_hash: str
    notices: str | None = None  # '"corrections": [...], "to_verify": [...], ...' (JSON members)
    enterprise: str | None = None
    credit_code: str | None = None
    application_id: str | None = None

    @property
    def is_error(self) -> bool:
        return self.decision == "error"

    @property
    def identity(self) -> str:
        """The store's key. A decided case is its id and the bytes it was decided from, whatever
        label it was read under (a file, a directory, a line of standard input); an input that
        could not be decided has no id of its own, so its bytes alone."""
        return self.input_hash if self.is_error else f"{self.case_id}\n{self.input_hash}"


def decision_line(row: Row, rulesets_json: str) -> str:
    """The decision contract of a stored decision, as the exact JSON text ``json.dumps`` gives."""
    return (
        f'{{"case_id": {json.dumps(row.case_id, ensure_ascii=False)}, "decision": "{row.decision}", '
        f'"as_of": "{row.as_of}", "rulesets": {rulesets_json}, "findings": {row.findings}, '
        f'"passed": {row.passed}, "not_applicable": {row.not_applicable}'
        + (f", {row.notices}}}" if row.notices else "}")
    )


def read_back(row: Row) -> dict[str, Any] | None:
    """A stored decision as its contract, or None where it does not read back whole: the cells a
    bad disk or a hand edit may have damaged parse, and are what a decision holds."""
    if row.decision not in DECISIONS or not all(isinstance(v, str) for v in row[:4] + row[7:9]):
        return None
    try:
        d = json.loads(decision_line(row, "[]"))
    except (ValueError, TypeError, RecursionError):
        return None
    parts = (d.get("findings"), d.get("passed"), d.get("not_applicable"))
    ok = all(isinstance(p, list) for p in parts) and all(finding_ok(f) for f in d["findings"])
    return d if ok else None


def finding_ok(f: object) -> bool:
    """Whether one stored finding has the shape the exports and the report read."""
    return (isinstance(f, dict) and isinstance(f.get("rule_id"), str)
            and all(isinstance(c, dict) for c in f.get("citations") or [])
            and all(isinstance(m, str) for m in f.get("missing") or []))
