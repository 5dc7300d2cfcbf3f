"""Dependencies point one way: a layer imports only the layers below it (imports read with ``ast``).

A new layer, or a new arrow between layers, is a decision: change ``LAYERS`` here and in
docs/architecture.md.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import approval_rules

PKG = Path(approval_rules.__file__).parent

# Lowest first. Layers on one line are peers: neither imports the other.
LAYERS = [
    ("core",),
    ("model",),
    ("lang",),
    ("ruleset",),
    ("engine",),
    ("authoring", "batch"),
    ("service",),
    ("cli",),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
FACADE_USERS = {"cli"}  # may import the top-level package itself (``from .. import __version__``)
MAX_LINES = 400


def _modules() -> list[Path]:
    return sorted(PKG.rglob("*.py"))


def _dotted(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(path: Path) -> str:
    dotted = _dotted(path)
    return dotted if path.name == "__init__.py" else dotted.rpartition(".")[0]


def _exists(dotted: str) -> bool:
    base = PKG.parent.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports(path: Path) -> list[tuple[int, str]]:
    """Every package module ``path`` imports, anywhere in the file, as (line, dotted name)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "approval_rules"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package(path).split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "approval_rules":
                continue
            # ``from ..lang import analysis`` imports the module lang.analysis, not the package lang.
            subs = [f"{module}.{a.name}" for a in node.names if _exists(f"{module}.{a.name}")]
            found += [(node.lineno, m) for m in subs] or [(node.lineno, module)]
    return found


def layer_of(dotted: str) -> str | None:
    """The layer of a package module; None for the top-level package (the facade) and ``__main__``."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def upward_imports() -> list[str]:
    problems = []
    for path in _modules():
        here = layer_of(_dotted(path))
        if here is None:
            continue  # approval_rules/__init__.py (the public API) and __main__.py sit on top
        for line, target in imports(path):
            there = layer_of(target)
            where = f"{path.relative_to(PKG.parent)}:{line}"
            if there is None and target == "approval_rules":
                if here not in FACADE_USERS:
                    problems.append(f"{where}: {here} imports the package facade approval_rules")
            elif there != here and RANK[there] >= RANK[here]:
                problems.append(f"{where}: {here} (layer {RANK[here]}) imports {target} ({there}, layer {RANK[there]})")
    return problems


def test_every_module_sits_in_a_layer():
    top = {p.name for p in PKG.iterdir() if p.suffix == ".py" or p.name == "py.typed" or any(p.glob("**/*.py"))}
    assert top == set(RANK) | {"__init__.py", "__main__.py", "py.typed"}
    for name in RANK:
        doc = ast.get_docstring(ast.parse((PKG / name / "__init__.py").read_text(encoding="utf-8"))) or ""
        assert "May import:" in doc, f"{name}/__init__.py should say what the layer may import"


def test_no_layer_imports_a_higher_one_or_a_peer():
    problems = upward_imports()
    assert not problems, "imports against the layer order:\n" + "\n".join(problems)


def test_engine_modules_do_not_import_backends():
    # Backends import the engine, never the other way; only the facade engine/__init__.py re-exports
    # the registry (make_backend), and the registry imports a backend module only when asked for it.
    backends = PKG / "engine" / "backends"
    for path in (PKG / "engine").rglob("*.py"):
        if backends in path.parents or path == PKG / "engine" / "__init__.py":
            continue
        assert not [t for _, t in imports(path) if t.startswith("approval_rules.engine.backends")], path.name
    registry = [t for _, t in imports(backends / "__init__.py") if t.startswith("approval_rules.engine.backends.")]
    assert registry == []
    from approval_rules.engine.backends import BACKENDS

    for name in BACKENDS:
        assert "def make(" in (backends / f"{name}.py").read_text(encoding="utf-8"), name


def test_durable_rules_is_imported_by_one_module_only():
    users = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            if any(n.split(".")[0] == "durable" for n in names):
                users.append(path.relative_to(PKG).as_posix())
    assert users == ["engine/backends/durable.py"]


def test_no_module_is_over_400_lines():
    long = {p.relative_to(PKG).as_posix(): n for p in _modules() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_public_api_is_small_and_explicit():
    assert set(approval_rules.__all__) == {
        "ApprovalRulesError", "Citation", "Decision", "Diagnostic", "Finding", "ProjectFile", "ProjectFileError",
        "RuleBook", "RulesError", "SourcePos", "__version__", "compile_rules", "evaluate", "load_project",
        "load_rule_book", "load_rules", "parse_project", "Profile", "load_profile", "parse_profile",
        "validate_project",
    }
    # The optional extra is imported on request only: the default install does not need it.
    code = "import sys, approval_rules, approval_rules.cli; print('durable' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    for name in approval_rules.__all__:
        assert hasattr(approval_rules, name)
