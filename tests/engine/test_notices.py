"""The 补正 notice (一次告知) and the reviewer's checklist over every bundled case."""

from __future__ import annotations

import re

import pytest

from approval_rules import evaluate
from approval_rules.engine.render import decision_text
from approval_rules.model import facts
from approval_rules.ruleset.loader import load_project
from approval_rules.ruleset.models import Profile

from conftest import bundled_cases

CASES = sorted(bundled_cases().rglob("*.yaml"))
AUTHORITY_TITLES = {
    facts.title_of(p) for p in facts.all_paths() if facts.provenance_of(p) != "applicant"
}


@pytest.mark.parametrize("strict", [False, True], ids=["presumptions", "strict"])
def test_corrections_never_ask_for_authority_or_context_facts_and_never_repeat(book, strict):
    profile = Profile(strict=strict)
    checked = 0
    for path in CASES:
        d = evaluate(book, load_project(path).project, profile=profile)
        keys = [(c["kind"], c["key"]) for c in d.corrections]
        assert len(keys) == len(set(keys)), path
        for c in d.corrections:
            if c["kind"] == "fact":
                assert facts.provenance_of(c["key"]) == "applicant", (path, c)
        for v in d.to_verify:
            assert facts.provenance_of(v["fact"]) != "applicant", (path, v)
        text = decision_text(d)
        if "补正材料通知" in text:
            notice = text.split("补正材料通知", 1)[1].split("待核查事项", 1)[0].split("审查所依据的推定", 1)[0]
            items = [line.split(". ", 1)[1] for line in notice.splitlines()[1:] if re.match(r"  \d+\. ", line)]  # not the 依据 lines
            assert len(items) == len(set(items)), path
            assert not [t for t in AUTHORITY_TITLES if any(line.endswith(t) for line in items)], path
            checked += 1
        if d.decision == "needs_correction":
            assert d.corrections, path  # a 补正 decision always says what to correct
    assert checked > 0


def test_every_unknown_finding_lands_in_exactly_one_list(book):
    for path in CASES:
        d = evaluate(book, load_project(path).project, profile=Profile(strict=True))
        listed = {c["key"] for c in d.corrections} | {v["fact"] for v in d.to_verify}
        for f in d.findings:
            if f.outcome == "unknown":
                assert set(f.missing) | set(f.to_verify) <= listed, (path, f.rule_id)
                if f.to_verify and not f.missing:
                    assert f.contributes == "refer"
