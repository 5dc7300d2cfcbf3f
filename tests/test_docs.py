"""The documentation for legal staff stays in step with the code."""

from __future__ import annotations

import re

from approval_rules.core.diagnostics import CODES
from approval_rules.model.project import DOCUMENTS
from approval_rules.ruleset.models import LEGAL_EFFECTS

from conftest import ROOT

DOC = (ROOT / "docs" / "rule-language.md").read_text(encoding="utf-8")


def test_every_error_code_is_documented_with_what_to_do():
    for c in CODES.values():
        assert f"| {c.code} | {c.slug} | {c.title} | {c.action} |" in DOC, c.code
    documented = set(re.findall(r"^\| ([EW]\d{3}) \|", DOC, re.M))
    assert documented == set(CODES)


def test_every_document_code_is_in_the_catalogue():
    for code, title in DOCUMENTS.items():
        assert f"| `{code}` | {title} |" in DOC, code


def test_every_legal_effect_is_explained():
    for code, title in LEGAL_EFFECTS.items():
        assert f"| `{code}` | {title} |" in DOC, code


def test_readme_commands_are_the_ci_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci in readme


def test_examples_attributed_to_a_bundled_rule_are_in_that_rule():
    from approval_rules import load_rule_book

    book = load_rule_book()
    by_id = {r.id: r for r in book.rules}
    pairs = re.findall(r"`([^`]+)`（(TS-[A-Z0-9-]+)", DOC)
    assert len(pairs) >= 6
    for expr, rule_id in pairs:
        rule = by_id[rule_id]
        text = " ".join([rule.source.when, rule.source.require or ""] + [d.text for d in rule.definitions.values()])
        assert " ".join(expr.split()) in " ".join(text.split()), (rule_id, expr)
