"""approval-rules: a rules engine for Chinese work-safety administrative licensing.

Modules, in pipeline order:

- ``diagnostics``: positions, diagnostics and the table of error codes (imports nothing else)
- ``yamlsource``: YAML text → data plus a source map of positions
- ``project``: the project file (申报材料/项目档案) as pydantic models
- ``facts``: the fact catalogue rules are checked against
- ``ruleset``: the rule language as pydantic models
- ``schema_errors``: pydantic errors → Chinese diagnostics at file:line:col
- ``loader``: rule-set directories and project files → models, or every problem at once
- ``expr``: condition text → AST; ``typecheck``: AST → types and resolved facts
- ``values``: the unknown value and calendar arithmetic
- ``closures``: AST → compiled closures; ``interpreter``: the reference tree-walker
- ``compiler``: rule sets → a checked ``RuleBook``
- ``decision``: the decision contract; ``engine``: one project file → a ``Decision``
- ``render``: decisions as Chinese text; ``casetest``: example cases as tests
- ``prose``: conditions as Chinese sentences; ``explain``: a decision rule by rule, from the trace
- ``coverage``: rule, article and sub-condition coverage from traces
- ``analysis``: can a condition ever change; ``lint``: load errors plus semantic checks
- ``catalogue``: the rule catalogue for legal review; ``rulediff``: the impact of a rule change
- ``rules_schema``: the JSON Schema of rule files for editors
- ``inputs``: batch inputs (files, directories, globs, JSON Lines, stdin) with stable ids and hashes
- ``screening``: parallel batch screening; ``store``: the SQLite results store; ``exports``: table, JSONL, CSV
- ``progress``: the progress line; ``report``: the HTML report of a results store
- ``synthetic``: reproducible generated project files for benchmarks
- ``bundled``: where the bundled rules and cases live
- ``cli``: the command line
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
from .ruleset.loader import load_project, load_rules, parse_project
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
    "RuleBook",
    "RulesError",
    "SourcePos",
    "__version__",
    "compile_rules",
    "evaluate",
    "load_project",
    "load_rule_book",
    "load_rules",
    "parse_project",
]
