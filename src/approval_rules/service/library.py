"""The bundles a service keeps on disk, and which one is active.

``bundles/<revision>/`` holds each accepted bundle, unpacked; ``bundles/ACTIVE`` names the
active revision and is replaced by ``rename`` (atomic), so every worker sees either the old or
the new one. A bundle is validated before it is installed — load and lint errors, every
bundled ``expect:`` case, the signature when a key is configured — and a failure is written to
``bundles/LAST_FAILURE.json`` for ``/v1/status`` while the active bundle stays as it was.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..authoring.casetest import run_cases
from ..authoring.lint import lint
from ..core.diagnostics import Diagnostic, RulesError
from ..engine.book import RuleBook
from ..engine.compiler import compile_rules
from ..engine.contract import RuleSetRefDict
from ..ruleset.loader import load_rules
from .bundles import BundleError, manifest_bytes, manifest_for, unpack, verify
from .records import now_iso


def ruleset_refs(book: RuleBook) -> list[RuleSetRefDict]:
    return [r.to_dict() for r in book.refs]


def validate(root: Path, public_key: bytes | None) -> tuple[dict[str, Any], RuleBook]:
    """The manifest and compiled book of the unpacked bundle at ``root``, or ``BundleError`` with every reason."""
    manifest = verify(root, public_key)
    report = lint(root / "rules")
    if report.errors:
        raise BundleError(f"规则包中的规则有 {len(report.errors)} 个错误", [_relative(d, root) for d in report.errors])
    try:
        book = compile_rules(load_rules(root / "rules"))
    except RulesError as exc:
        raise BundleError("规则包中的规则无法编译", [_relative(d, root) for d in exc.diagnostics]) from None
    if (root / "cases").is_dir():
        results = run_cases(book, [root / "cases"])
        failing = [{"file": _inside(r.file, root), "line": r.line, "problems": r.problems,
                    "errors": [{**d.to_dict(), "file": _inside(d.pos.file, root) if d.pos else None} for d in r.errors]}
                   for r in results if not r.ok]
        if failing:
            raise BundleError(f"规则包中有 {len(failing)} 个案例与预期不符", failing=failing)
    return manifest, book


def _relative(d: Diagnostic, root: Path) -> Diagnostic:
    return replace(d, pos=replace(d.pos, file=_inside(d.pos.file, root))) if d.pos else d


def _inside(file: str, root: Path) -> str:
    try:
        return Path(file).relative_to(root).as_posix()
    except ValueError:
        return file


class Library:
    def __init__(self, data_dir: str | Path, public_key: bytes | None = None):
        self.root = Path(data_dir) / "bundles"
        self.root.mkdir(parents=True, exist_ok=True)
        self.public_key = public_key

    def active_revision(self) -> str | None:
        try:
            return (self.root / "ACTIVE").read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def path(self, revision: str) -> Path:
        return self.root / revision

    def revisions(self) -> list[dict[str, Any]]:
        out = []
        for d in sorted(self.root.iterdir()):
            if d.is_dir() and (d / "manifest.json").is_file() and not d.name.startswith("."):
                m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
                out.append({"revision": d.name, "created": m.get("created"), "signer": m.get("signer"),
                            "rulesets": m.get("rulesets", []), "active": d.name == self.active_revision()})
        return out

    def _point(self, revision: str) -> None:
        tmp = self.root / f".ACTIVE.{os.getpid()}"
        tmp.write_text(revision + "\n", encoding="utf-8")
        os.replace(tmp, self.root / "ACTIVE")

    def failure(self) -> dict[str, Any] | None:
        try:
            failure: dict[str, Any] = json.loads((self.root / "LAST_FAILURE.json").read_text(encoding="utf-8"))
            return failure
        except (OSError, ValueError):
            return None

    def _record_failure(self, exc: BundleError) -> dict[str, Any]:
        record = {"time": now_iso(), "message": exc.message,
                  "errors": [d.to_dict() for d in exc.diagnostics], "failing_cases": exc.failing}
        tmp = self.root / f".LAST_FAILURE.{os.getpid()}"
        tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.root / "LAST_FAILURE.json")
        return record

    def upload(self, data: bytes) -> tuple[dict[str, Any], RuleBook]:
        """Validate an uploaded archive, then install and activate it; ``BundleError`` leaves the active one."""
        staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=self.root))
        try:
            unpack(data, staging)
            manifest, book = validate(staging, self.public_key)
            dest = self.path(manifest["revision"])
            if not dest.exists():
                os.replace(staging, dest)
            self._point(manifest["revision"])
            return manifest, book
        except BundleError as exc:
            self._record_failure(exc)
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def activate(self, revision: str) -> dict[str, Any]:
        """Roll back (or forward) to an installed revision, checked again before the pointer moves."""
        if not revision.isalnum() or not self.path(revision).is_dir():
            raise BundleError(f"没有版本为「{revision}」的规则包")
        try:
            manifest = verify(self.path(revision), self.public_key)
        except BundleError as exc:
            self._record_failure(exc)
            raise
        self._point(revision)
        return manifest

    def install_directory(self, rules: Path, cases: Path | None, engine_version: str) -> str:
        """Make a bundle of a rules folder (and cases) and activate it: how ``serve`` starts on plain rules."""
        staging = Path(tempfile.mkdtemp(prefix=".local-", dir=self.root))
        try:
            shutil.copytree(rules, staging / "rules", ignore=shutil.ignore_patterns("__pycache__"))
            if cases is not None and cases.is_dir():
                shutil.copytree(cases, staging / "cases", ignore=shutil.ignore_patterns("__pycache__"))
            book = compile_rules(load_rules(staging / "rules"))
            manifest = manifest_for(staging, ruleset_refs(book), engine_version)
            (staging / "manifest.json").write_bytes(manifest_bytes(manifest))
            if not self.path(manifest["revision"]).exists():
                os.replace(staging, self.path(manifest["revision"]))
            self._point(manifest["revision"])
            return str(manifest["revision"])
        finally:
            shutil.rmtree(staging, ignore_errors=True)
