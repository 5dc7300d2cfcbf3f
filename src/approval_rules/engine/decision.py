"""The decision contract: decisions, findings and citations, and how findings make a decision.

The JSON form (``Decision.to_dict``) is what integrators and tests rely on; its key names
are fixed. Decision precedence is reject > needs_correction > refer > approve, and an
unknown finding (a fact the file lacks) never lets a case be approved.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Sequence

from .contract import (
    CitationDict, CorrectionDict, DecisionDict, DecisionKind, Effect, FilledDict, FindingDict, LegalEffect, Outcome,
    RuleSetRefDict, VerificationDict,
)

DECISION_ZH = {"approve": "准予许可", "reject": "不予许可", "needs_correction": "需补正材料", "refer": "转人工审查"}
OUTCOME_ZH = {"fail": "不符合", "unknown": "无法判断（缺少事实）"}
_RANK = {"approve": 0, "refer": 1, "needs_correction": 2, "reject": 3}


@dataclass(frozen=True, slots=True)
class CitationOut:
    law: str
    law_version: _dt.date
    article: int | None
    clause: int | None
    item: int | None
    verified: bool
    note: str | None = None

    def to_dict(self) -> CitationDict:
        return {
            "law": self.law,
            "law_version": self.law_version.isoformat(),
            "article": self.article,
            "clause": self.clause,
            "item": self.item,
            "verified": self.verified,
            "note": self.note,
        }


@dataclass(slots=True)
class Finding:
    rule_id: str
    title: str
    ruleset: str
    outcome: Outcome
    effect: Effect
    message: str
    facts: dict[str, Any]
    citations: Sequence[CitationOut]  # shared between findings of the same rule and period: immutable
    missing: list[str] = field(default_factory=list)
    legal_effect: LegalEffect | None = None
    source: str | None = None  # file:line of the rule
    to_verify: list[str] = field(default_factory=list)  # authority/context facts left unknown
    missing_materials: list[tuple[str, str]] = field(default_factory=list)  # (code, title) not submitted

    @property
    def contributes(self) -> DecisionKind | None:
        """The decision this finding pushes toward, or None for an informational one.

        Unknown for want of an applicant fact: 补正. Unknown only for want of what the authority
        establishes: the reviewer must check it, so refer; the applicant is never asked.
        """
        if self.effect == "info":
            return None
        if self.outcome == "unknown":
            return "refer" if self.to_verify and not self.missing else "needs_correction"
        return self.effect

    def to_dict(self) -> FindingDict:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "ruleset": self.ruleset,
            "outcome": self.outcome,
            "effect": self.effect,
            "legal_effect": self.legal_effect,
            "message": self.message,
            "facts": {k: _jsonable(v) for k, v in self.facts.items()},
            "missing": list(self.missing),
            "to_verify": list(self.to_verify),
            "missing_materials": [code for code, _ in self.missing_materials],
            "citations": [c.to_dict() for c in self.citations],
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class RuleSetRef:
    id: str
    version: str
    sha256: str

    def to_dict(self) -> RuleSetRefDict:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}


@dataclass(slots=True)
class Decision:
    case_id: str
    decision: DecisionKind
    as_of: _dt.date
    rulesets: Sequence[RuleSetRef]  # shared by every decision of one rule book: immutable
    findings: list[Finding]
    passed: list[str]
    not_applicable: list[str]
    corrections: list[CorrectionDict] = field(default_factory=list)  # the one 补正 list (一次告知)
    to_verify: list[VerificationDict] = field(default_factory=list)  # 待核查事项 for the reviewer
    filled: list[Any] = field(default_factory=list)  # engine.premises.Filled (which imports this module): presumed, derived, context

    def filled_of(self, kind: str) -> list[FilledDict]:
        return [f.to_dict() for f in self.filled if f.kind == kind]

    def to_dict(self) -> DecisionDict:
        return {
            "case_id": self.case_id,
            "decision": self.decision,
            "as_of": self.as_of.isoformat(),
            "rulesets": [r.to_dict() for r in self.rulesets],
            "findings": [f.to_dict() for f in self.findings],
            "passed": list(self.passed),
            "not_applicable": list(self.not_applicable),
            "corrections": self.corrections,
            "to_verify": self.to_verify,
            "presumed": self.filled_of("presume"),
            "derived": self.filled_of("derive"),
            "context": self.filled_of("context"),
        }


def decide(findings: list[Finding], applicable: int) -> DecisionKind:
    """The decision that the findings call for (most severe wins).

    A case that no rule with an effect applied to is referred, never approved: approval
    must rest on at least one checked requirement.
    """
    if applicable == 0:
        return "refer"
    worst: DecisionKind = "approve"
    for f in findings:
        c = f.contributes
        if c is not None and _RANK[c] > _RANK[worst]:
            worst = c
    return worst


def _jsonable(value: Any) -> Any:
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return value
