"""The decision contract as types: what ``Decision.to_dict()`` returns, for integrators' type
checkers and, through pydantic, as a JSON Schema (``approval-rules schema decision``).

Key names are fixed (see ``engine.decision``); every key is always present, ``None`` where a value
is absent. Dates are ISO text (``2024-01-01``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from typing_extensions import TypedDict  # pydantic reads typing.TypedDict only from Python 3.12

from pydantic import TypeAdapter, WithJsonSchema

from ..ruleset.models import Effect as Effect, LegalEffect as LegalEffect

DecisionKind = Literal["approve", "reject", "needs_correction", "refer"]
Outcome = Literal["fail", "unknown"]  # fail: the requirement does not hold; unknown: a fact is missing
CorrectionKind = Literal["fact", "document", "rule"]
IsoDate = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]


class CitationDict(TypedDict):
    """A legal provision a finding or a filled fact rests on."""

    law: str
    law_version: IsoDate
    article: int | None
    clause: int | None
    item: int | None
    verified: bool
    note: str | None


class FindingDict(TypedDict):
    """A rule that applies and is not met (outcome fail), or cannot be decided (outcome unknown)."""

    rule_id: str
    title: str
    ruleset: str
    outcome: Outcome
    effect: Effect
    legal_effect: LegalEffect | None
    message: str
    facts: dict[str, Any]
    missing: list[str]
    to_verify: list[str]
    missing_materials: list[str]
    citations: list[CitationDict]
    source: str | None


class RuleSetRefDict(TypedDict):
    id: str
    version: str
    sha256: str


class CorrectionDict(TypedDict):
    """One item of the 补正 list: a fact to state, a document to submit, or a rule to satisfy."""

    kind: CorrectionKind
    key: str
    item: str
    rules: list[str]


class VerificationDict(TypedDict):
    """A fact the reviewing authority must establish (待核查事项)."""

    fact: str
    title: str
    rules: list[str]
    citations: list[CitationDict]


class FilledDict(TypedDict):
    """A fact the engine filled in: presumed, derived, or known from the deployment (context)."""

    fact: str
    title: str
    value: Any
    reason: str
    ruleset: str
    citations: list[CitationDict]
    source: str | None


class DecisionDict(TypedDict):
    """The decision on one project file."""

    case_id: str
    decision: DecisionKind
    as_of: IsoDate
    rulesets: list[RuleSetRefDict]
    findings: list[FindingDict]
    passed: list[str]
    not_applicable: list[str]
    corrections: list[CorrectionDict]
    to_verify: list[VerificationDict]
    presumed: list[FilledDict]
    derived: list[FilledDict]
    context: list[FilledDict]


def decision_schema() -> dict[str, Any]:
    """The JSON Schema of ``DecisionDict``; objects with fixed keys admit no others."""
    schema = TypeAdapter(DecisionDict).json_schema()
    for node in [schema, *schema.get("$defs", {}).values()]:
        if "properties" in node:
            node["additionalProperties"] = False
    return schema
