"""Editor support: the committed rule-file schema is current, and every bundled rule file uses and passes it."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from approval_rules.ruleset.rules_schema import COMMENT, rules_schema

from conftest import ROOT, bundled_rules

FILES = sorted(bundled_rules().rglob("*.yaml"))
SCHEMA = rules_schema()


def test_committed_schema_is_the_generated_one():
    committed = json.loads((ROOT / "schema" / "rules.schema.json").read_text(encoding="utf-8"))
    assert committed == SCHEMA, "run: approval-rules schema rules > schema/rules.schema.json"


def test_schema_describes_keys_and_enumerates_effects_documents_and_facts():
    rule = SCHEMA["$defs"]["Rule"]["properties"]
    assert all("description" in v for v in rule.values())
    assert rule["effect"]["enumDescriptions"] == ["不予许可", "需补正", "转人工/全面审查", "提示"]
    assert "licence.expiry_date" in rule["require"]["examples"]
    assert "business_license" in SCHEMA["$defs"]["MaterialItem"]["properties"]["doc"]["enum"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_rule_file_carries_the_comment_and_validates(path):
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == COMMENT
    data = json.loads(json.dumps(yaml.safe_load(text), default=str))
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data))
    assert not errors, [e.message for e in errors[:3]]


def test_schema_rejects_a_misspelt_key():
    bad = {"rules": [{"id": "R", "title": "t", "digest": "d", "effective": {"from": "2020-01-01"}, "require": "true",
                      "effect": "reject", "message": "m", "mesage": "x"}]}
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(bad))
