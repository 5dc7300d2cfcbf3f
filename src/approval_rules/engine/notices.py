"""The two lists a decision hands to people: the 补正 notice and the reviewer's checklist.

行政许可法 第三十二条 requires the authority to tell the applicant everything to correct at once:
``corrections`` gathers every missing applicant fact, missing document and correctable failure
across all findings, each once, with the rules that need it. ``verifications`` gathers what only
the authority can establish (待核查事项), which never goes to the applicant.
"""

from __future__ import annotations

from ..model import facts
from .contract import CorrectionDict, CorrectionKind, VerificationDict
from .decision import Finding


def corrections(findings: list[Finding]) -> list[CorrectionDict]:
    """Each item the applicant must supply or correct, once, in the order first met."""
    items: dict[tuple[str, str], CorrectionDict] = {}

    def add(kind: CorrectionKind, key: str, text: str, f: Finding) -> None:
        item = items.setdefault((kind, key), {"kind": kind, "key": key, "item": text, "rules": []})
        if f.rule_id not in item["rules"]:
            item["rules"].append(f.rule_id)

    for f in findings:
        if f.contributes != "needs_correction":
            continue
        if f.outcome == "unknown":
            for path in f.missing:
                add("fact", path, f"说明或提供：{facts.title_of(path)}", f)
            if not f.missing:
                add("rule", f.rule_id, f.message, f)
        elif f.missing_materials:
            for code, title in f.missing_materials:
                add("document", code, f"提交：{title}", f)
        else:
            add("rule", f.rule_id, f.message, f)
    return list(items.values())


def verifications(findings: list[Finding]) -> list[VerificationDict]:
    """Each fact the reviewing authority must establish before deciding, with the rules and law."""
    items: dict[str, VerificationDict] = {}
    for f in findings:
        for path in f.to_verify:
            item = items.setdefault(path, {"fact": path, "title": facts.title_of(path), "rules": [], "citations": []})
            if f.rule_id not in item["rules"]:
                item["rules"].append(f.rule_id)
                item["citations"] += [c.to_dict() for c in f.citations if c.to_dict() not in item["citations"]]
    return list(items.values())
