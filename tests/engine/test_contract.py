"""The decision contract: ``approval-rules schema decision`` prints the JSON Schema of
``Decision.to_dict()``, and every bundled case's decision conforms to it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from approval_rules import evaluate, load_project, load_rule_book
from approval_rules.authoring.casetest import case_files
from approval_rules.cli import cli

ROOT = Path(__file__).parents[2]
CASES = case_files([ROOT / "cases"])


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    out = CliRunner().invoke(cli, ["schema", "decision"])
    assert out.exit_code == 0, out.output
    schema = json.loads(out.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def book():
    return load_rule_book()


def test_every_bundled_case_is_checked() -> None:
    assert len(CASES) > 200


@pytest.mark.parametrize("path", CASES, ids=lambda p: Path(p).stem)
def test_decision_conforms_to_the_schema(path, book, validator) -> None:
    loaded = load_project(path)
    profile = loaded.expect.profile if loaded.expect else None
    decision = evaluate(book, loaded.project, profile=profile).to_dict()
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(decision)]
    assert not errors, errors


def test_the_schema_refuses_what_the_contract_does_not_allow(book, validator) -> None:
    decision = evaluate(book, load_project(CASES[0]).project).to_dict()
    assert not list(validator.iter_errors(decision))
    for broken in ({**decision, "decision": "approved"}, {**decision, "extra": 1},
                   {k: v for k, v in decision.items() if k != "as_of"}, {**decision, "as_of": "2024-13-01"}):
        assert list(validator.iter_errors(broken))
