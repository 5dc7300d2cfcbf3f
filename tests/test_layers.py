"""Dependencies point one way: each module may import only the package modules listed for it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import approval_rules

PKG = Path(approval_rules.__file__).parent

# module -> package modules it may import. A new module, or a new arrow, is a decision: add it here.
ALLOWED: dict[str, set[str]] = {
    "diagnostics": set(),
    "values": set(),
    "expr": set(),
    "yamlsource": {"diagnostics"},
    "project": {"project"},
    "facts": {"project"},
    "ruleset": {"project"},
    "schema_errors": {"facts", "diagnostics", "yamlsource"},
    "typecheck": {"facts", "diagnostics", "expr"},
    "loader": {"diagnostics", "project", "ruleset", "schema_errors", "yamlsource"},
    "closures": {"expr", "typecheck", "values"},
    "interpreter": {"expr", "typecheck", "values"},
    "compiler": {"closures", "codegen", "decision", "diagnostics", "expr", "facts", "interpreter", "loader", "project", "ruleset", "typecheck", "yamlsource"},
    "codegen": {"expr", "typecheck", "values"},
    "decision": set(),
    # engine imports durable_backend only inside make_backend (the one sanctioned upward arrow, see below)
    "engine": {"closures", "compiler", "decision", "durable_backend", "facts", "interpreter", "project", "values"},
    "render": {"decision", "ruleset"},
    "prose": {"expr", "facts", "typecheck"},
    "analysis": {"expr", "interpreter", "typecheck", "values"},
    "explain": {"closures", "compiler", "engine", "expr", "project", "prose", "values"},
    "coverage": {"closures", "compiler", "diagnostics", "engine", "expr", "prose", "values"},
    "lint": {"analysis", "compiler", "diagnostics", "expr", "loader", "typecheck"},
    "catalogue": {"compiler", "expr", "prose", "render", "ruleset", "typecheck"},
    "rulediff": {"casetest", "compiler", "decision", "diagnostics", "engine", "expr", "loader"},
    "rules_schema": {"facts", "project", "ruleset", "typecheck"},
    "bundled": set(),
    "casetest": {"compiler", "coverage", "decision", "diagnostics", "engine", "loader"},
    "inputs": {"diagnostics"},
    "store": set(),
    "progress": set(),
    "exports": {"decision", "store"},
    "screening": {"compiler", "decision", "diagnostics", "engine", "inputs", "loader", "store"},
    "report": {"decision", "render", "store"},
    "synthetic": {"diagnostics", "loader", "project"},
    "durable_backend": {"closures", "compiler", "engine", "expr", "project", "typecheck", "values"},
    "cli": None,  # the top: may import anything
    "__init__": None,
    "__main__": {"cli"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    inside_project = path.parent.name == "project"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = (node.module or "").split(".")[0]
            if inside_project and node.level == 1:
                found.add("project")
            elif base:
                found.add(base)
            else:
                found |= {a.name for a in node.names}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found |= {n.split(".")[1] for n in names if n.startswith("approval_rules.")}
    return found


def test_every_module_is_in_the_table():
    modules = {p.stem for p in PKG.glob("*.py")} | {"project"}
    assert modules == set(ALLOWED)


def test_imports_follow_the_table():
    for path in list(PKG.glob("*.py")) + list((PKG / "project").glob("*.py")):
        name = "project" if path.parent.name == "project" else path.stem
        allowed = ALLOWED[name]
        if allowed is None:
            continue
        assert _imports(path) <= allowed, f"{path.name} imports {_imports(path) - allowed}"


def test_durable_is_imported_only_on_request():
    # The optional backend is imported lazily, inside make_backend, never at module level.
    tree = ast.parse((PKG / "engine.py").read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "durable_backend"]
    lazy = [n for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == "make_backend"
            for n in ast.walk(f) if isinstance(n, ast.ImportFrom) and n.module == "durable_backend"]
    assert not top and len(lazy) == 1


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
