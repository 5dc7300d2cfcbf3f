"""One input → one row, in the calling process or in a worker process of the screening pool.

``decide`` turns one raw input into a ``store.Row`` (a decision, or the problems of an input that
could not be decided, never an exception); ``_init_worker`` and ``_work`` are what the pool runs.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import signal
import threading
import time
import weakref
from importlib import metadata as _metadata
from typing import Any

from ..core.diagnostics import ApprovalRulesError, Diagnostic, SourcePos
from ..engine.backends import make_backend
from ..engine.book import RuleBook
from ..engine.compiler import compile_rules
from ..engine.decision import Decision
from ..engine.evaluator import Backend, evaluate
from ..ruleset.loader import load_rules, parse_project
from ..ruleset.profile import Profile
from .inputs import Item, case_id, storable
from .rows import Row


try:  # part of the rule-set hash: a new engine version re-decides everything on --resume
    ENGINE_VERSION = _metadata.version("approval-rules")
except _metadata.PackageNotFoundError:  # a source checkout that is not installed
    ENGINE_VERSION = "unknown"
INTERNAL = "E900"
_PLAIN_IDS = re.compile(r'\["[A-Za-z0-9_.\-]+(", "[A-Za-z0-9_.\-]+)*"\]')


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _ids_json(ids: list[str]) -> str:
    """A list of rule ids as ``json.dumps`` writes it; rule ids need no escaping (letters, digits, ``-_.``)."""
    if not ids:
        return "[]"
    text = '["' + '", "'.join(ids) + '"]'
    return text if _PLAIN_IDS.fullmatch(text) else _dumps(ids)


def ruleset_refs(book: RuleBook) -> list[dict[str, str]]:
    """The rule sets as the decision contract lists them."""
    return [{"id": r.id, "version": r.version, "sha256": r.sha256} for r in book.rulesets]


def ruleset_hash(refs: list[dict[str, str]]) -> str:
    """One hash for the rule sets and the engine: equal hashes decide every input the same way."""
    payload: dict[str, Any] = {"engine": ENGINE_VERSION, "rulesets": sorted(refs, key=lambda r: r["id"])}
    text = _dumps(payload)
    return hashlib.sha256(text.encode()).hexdigest()


# --- one input --------------------------------------------------------------------------------


# Weak keys: a long-lived process screening with many books (the Python API, a service) must
# not keep every book it was ever given alive.
_RULESET_OF: weakref.WeakKeyDictionary[RuleBook, dict[str, str]] = weakref.WeakKeyDictionary()


def _ruleset_of(book: RuleBook) -> dict[str, str]:
    """Rule id -> rule-set id, computed once per rule book."""
    of = _RULESET_OF.get(book)
    if of is None:
        of = _RULESET_OF[book] = {r.id: r.ruleset_id for r in book.rules}
    return of


def decision_row(d: Decision, item: Item, book: RuleBook | None = None, project: object = None) -> Row:
    """A decision as a row: its contract parts as JSON text, and who applied (from ``project``)."""
    applied = {f.ruleset for f in d.findings if f.ruleset}
    if book is not None:
        of = _ruleset_of(book)
        applied.update(of[r] for r in d.passed if r in of)
    return Row(
        source=item.label,
        case_id=d.case_id,
        decision=d.decision,
        as_of=d.as_of.isoformat(),
        findings=_dumps([f.to_dict() for f in d.findings]) if d.findings else "[]",
        passed=_ids_json(d.passed),
        not_applicable=_ids_json(d.not_applicable),
        failing=" ".join(f.rule_id for f in d.findings),
        applied=" ".join(sorted(applied)),
        errors=None,
        input_hash=item.digest,
        notices=_notices(d),
        enterprise=_text(project, "enterprise", "name"),
        credit_code=_text(project, "enterprise", "uscc"),
        application_id=_text(project, "application", "id"),
    )


def _text(project: object, part: str, name: str) -> str | None:
    value = getattr(getattr(project, part, None), name, None)
    return str(value) if value is not None else None


def _notices(d: Decision) -> str:
    parts = {
        "corrections": d.corrections, "to_verify": d.to_verify, "presumed": d.filled_of("presume"),
        "derived": d.filled_of("derive"), "context": d.filled_of("context"),
    }
    return ", ".join(f'"{k}": {_dumps(v)}' for k, v in parts.items())


def error_row(item: Item, problems: list[Diagnostic]) -> Row:
    codes = " ".join(sorted({p.code for p in problems}))
    return Row(item.label, item.label, "error", None, None, None, None, codes, "", _dumps([p.to_dict() for p in problems]), item.digest)


def _in_file(problems: list[Diagnostic], item: Item) -> list[Diagnostic]:
    """Positions inside one line of a JSON Lines file, as positions in that file."""
    if item.line <= 0:
        return problems
    out = []
    for p in problems:
        pos = p.pos
        if pos is not None and pos.file == item.file:
            pos = SourcePos(item.file, item.line + pos.line - 1, pos.col)
        out.append(Diagnostic(p.code, p.message, pos, p.rule_id, p.hint, p.severity))
    return out


_JSON_FIELDS = frozenset(("findings", "passed", "not_applicable", "errors", "notices"))


def _storable(row: Row) -> Row:
    """The row with lone surrogates (from ``\\ud800`` in a JSON file, say) escaped: SQLite and the
    UTF-8 exports refuse them, and one such case must not stop the batch."""
    return Row._make(storable(v, name in _JSON_FIELDS) if isinstance(v, str) else v for name, v in zip(Row._fields, row))


def _input_problem(item: Item, exc: BaseException) -> Diagnostic:
    """A failure while reading an input's text, whatever the parser raised: the input's fault."""
    pos = SourcePos(item.file, max(item.line, 1), 1)
    if isinstance(exc, RecursionError):
        return Diagnostic("E105", "文件嵌套过深，无法审查", pos)
    if isinstance(exc, ValueError) and "digits" in str(exc):
        return Diagnostic("E101", "数字位数过多，无法读取", pos, hint="检查该处是否误写了一长串数字")
    return Diagnostic("E101", f"文件无法解析：{type(exc).__name__}: {storable(str(exc))}", pos)


def decide(
    book: RuleBook, item: Item, as_of: _dt.date | None = None, backend: Backend | None = None,
    profile: Profile | None = None,
) -> Row:
    """Decide one raw input; any problem with it becomes an error row, never an exception."""
    if item.problem is not None or item.text is None:
        return _storable(error_row(item, [item.problem] if item.problem else []))
    try:
        loaded = parse_project(item.text, item.file, item.fmt)
    except ApprovalRulesError as exc:
        return _storable(error_row(item, _in_file(exc.diagnostics, item)))
    except Exception as exc:  # noqa: BLE001 - ValueError, UnicodeError, RecursionError: bad input, not a bug here
        return _storable(error_row(item, [_input_problem(item, exc)]))
    try:
        cid = case_id(loaded.project, item.label)
        return _storable(decision_row(evaluate(book, loaded.project, as_of, case_id=cid, backend=backend, profile=profile), item, book,
                                           loaded.project))
    except ApprovalRulesError as exc:
        return _storable(error_row(item, _in_file(exc.diagnostics, item)))
    except RecursionError:
        return _storable(error_row(item, [_input_problem(item, RecursionError())]))
    except Exception as exc:  # noqa: BLE001 - one input must never stop the batch
        pos = SourcePos(item.file, max(item.line, 1), 1)
        return _storable(error_row(item, [Diagnostic(INTERNAL, f"内部错误（请报告给开发人员）：{type(exc).__name__}: {exc}", pos)]))


# --- worker processes -------------------------------------------------------------------------

_BOOK: RuleBook | None = None
_AS_OF: _dt.date | None = None
_BACKEND: Backend | None = None
_PROFILE: Profile | None = None


def _init_worker(
    rules_path: str | None, as_of: _dt.date | None, backend: str = "native", profile: Profile | None = None,
) -> None:
    """Pool initializer: make this process's rule book; Ctrl-C is the parent's job.

    With the ``fork`` start method (Linux) the worker inherits the rule book the parent compiled
    (``rules_path`` is None): no pickling and no second compile. Otherwise (``spawn``) it loads and
    compiles ``rules_path`` once. A worker whose parent died (killed with SIGKILL, say) exits by
    itself instead of lingering.
    """
    global _BOOK, _AS_OF, _BACKEND, _PROFILE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    if rules_path is not None:
        _BOOK = compile_rules(load_rules(rules_path))
    _AS_OF = as_of
    _PROFILE = profile
    _BACKEND = make_backend(backend)  # its own instance: durable-rules state is not shared across processes


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _work(chunk: list[Item]) -> list[Row]:
    assert _BOOK is not None
    return [decide(_BOOK, item, _AS_OF, _BACKEND, _PROFILE) for item in chunk]
