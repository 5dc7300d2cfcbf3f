"""approval-rules: a rules engine for Chinese work-safety administrative licensing.

Layers, lowest first; a layer imports only those below it (tests/test_layers.py holds this;
docs/architecture.md explains it):

- ``core``: diagnostics, positions and error codes; where the bundled rules and cases are
- ``model``: the project file (申报材料/项目档案) as pydantic models; the fact catalogue
- ``lang``: the condition language: AST, parser, types, three-valued values, interpreter, analysis, prose
- ``ruleset``: the rule-set language (models, JSON Schema); YAML/JSON files loaded with positions
- ``engine``: rule sets compiled into a ``RuleBook``; ``evaluate`` → ``Decision``; ``engine.backends``
- ``authoring`` | ``batch`` (peers): tools for rule writers | screening many files, store, exports, report
- ``cli``: the ``approval-rules`` command

This module is the public API: the names in ``__all__``.
"""

from __future__ import annotations

from pathlib import Path

from .core.bundled import rules_dir
from .engine.book import RuleBook
from .engine.compiler import compile_rules
from .engine.decision import CitationOut as Citation
from .engine.decision import Decision, Finding
from .core.diagnostics import ApprovalRulesError, Diagnostic, ProjectFileError, RulesError, SourcePos
from .engine.evaluator import evaluate
from .ruleset.loader import load_project, load_rules, parse_project, validate_project
from .ruleset.profile import Profile, load_profile, parse_profile
from .model.project import ProjectFile

__version__ = "0.1.0"


def load_rule_book(path: str | Path | None = None) -> RuleBook:
    """Load and compile the rule sets under ``path`` (default: the bundled rule sets)."""
    return compile_rules(load_rules(path or rules_dir()))


__all__ = [
    "ApprovalRulesError",
    "Citation",
    "Decision",
    "Diagnostic",
    "Finding",
    "ProjectFile",
    "ProjectFileError",
    "Profile",
    "RuleBook",
    "RulesError",
    "SourcePos",
    "__version__",
    "compile_rules",
    "evaluate",
    "load_profile",
    "load_project",
    "load_rule_book",
    "load_rules",
    "parse_profile",
    "parse_project",
    "validate_project",
]
