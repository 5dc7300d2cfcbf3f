"""The public API stays small and explicit. (The layer table follows the move into subpackages.)"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import approval_rules

PKG = Path(approval_rules.__file__).parent

def test_public_api_is_small_and_explicit():
    assert set(approval_rules.__all__) == {
        "ApprovalRulesError", "Citation", "Decision", "Diagnostic", "Finding", "ProjectFile", "ProjectFileError",
        "RuleBook", "RulesError", "SourcePos", "__version__", "compile_rules", "evaluate", "load_project",
        "load_rule_book", "load_rules", "parse_project",
    }
    # The optional extra is imported on request only: the default install does not need it.
    code = "import sys, approval_rules, approval_rules.cli; print('durable' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    for name in approval_rules.__all__:
        assert hasattr(approval_rules, name)
