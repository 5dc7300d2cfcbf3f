"""The synthetic project-file generator: reproducible, valid, every domain and every decision."""

from __future__ import annotations

import json
from collections import Counter

from approval_rules.core.bundled import cases_dir
from approval_rules.cli import cli
from approval_rules.engine.evaluator import evaluate
from approval_rules.model.project import ProjectFile
from approval_rules.batch.synthetic import DOMAINS, Generator, domain_of, load_templates


def test_same_seed_same_files_other_seed_other_files():
    templates = load_templates(cases_dir())
    a = list(Generator(templates, seed=7).lines(60))
    assert a == list(Generator(templates, seed=7).lines(60))
    assert a != list(Generator(templates, seed=8).lines(60))
    assert len({json.loads(line)["case_id"] for line in a}) == 60


def test_generated_files_are_valid_and_cover_every_domain_and_decision(book):
    records = list(Generator(load_templates(cases_dir()), seed=1).records(600))
    domains = Counter(domain_of(r) for r in records)
    assert set(domains) == set(DOMAINS)
    decisions = Counter()
    for r in records:
        project = ProjectFile.model_validate(r)  # every generated file is a valid project file
        decisions[evaluate(book, project).decision] += 1
    assert set(decisions) == {"approve", "reject", "needs_correction", "refer"}, decisions


def test_without_example_cases_the_builtin_templates_serve(tmp_path):
    templates = load_templates(tmp_path)
    assert {t.domain for t in templates} == set(DOMAINS)
    for line in Generator(templates, seed=3).lines(30):
        ProjectFile.model_validate(json.loads(line))


def test_hidden_generate_command(runner, tmp_path):
    assert "generate" not in runner.invoke(cli, ["--help"]).output
    out = tmp_path / "g.jsonl"
    r = runner.invoke(cli, ["generate", "-n", "25", "--seed", "5", "-o", str(out)])
    assert r.exit_code == 0, r.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 25
    r = runner.invoke(cli, ["generate", "-n", "25", "--seed", "5"])
    assert r.output.splitlines() == lines
