"""The durable-rules backend: the same rule AST, decided by durable-rules' Rete engine.

The only module that imports ``durable``; ``durable_translate`` turns each rule into
durable rules (NA, PASS, FAIL) and this module runs them, one fresh session per file.

The workarounds measured in the research note, each tested: a host without background
threads (``_SyncHost``); a positive guard on every rule; a sentinel rule per ruleset; rulesets
of at most ``CHUNK`` rules; a fresh session per case, deleted afterwards; values normalised
before asserting (dates as day numbers, absent facts omitted, list lengths as fields); the
session's exception slot checked; definitions deep-copied before registering.
"""

from __future__ import annotations

import copy
import datetime as _dt
import itertools
import threading
import weakref
from typing import Any

from ..book import RuleBook
from ..evaluator import BackendUnavailable, Verdicts
from ...lang.expr import Node
from ...model.project import ProjectFile
from ...lang.values import UNKNOWN
from .durable_translate import _compile, _Compiled, _value

try:
    from durable.engine import Host
except ImportError as exc:  # not installed, or Python 3.13 with durable-rules 2.0.28
    raise BackendUnavailable(
        "durable 后端不可用：需要安装可选依赖 durable-rules（pip install 'approval-rules[durable]'）。"
        "PyPI 上的 durable-rules 2.0.28 只能在 Python 3.11 和 3.12 上导入（3.13 报 undefined symbol PyEval_CallObject）。"
        f"导入错误：{exc}"
    ) from exc


class DurableError(RuntimeError):
    """durable-rules failed on a file (an exception inside an action, an engine error code)."""


class _SyncHost(Host):  # type: ignore[misc]  # durable-rules ships no type information
    # The stock Host starts two timer threads that race with synchronous calls
    # (assert_fact returning None, error 309, segfaults under threads).
    def _run(self) -> None:
        pass


def normalise(project: ProjectFile, day: _dt.date, lists: set[str]) -> dict[str, Any]:
    """The file as durable should see it: dates as day numbers, absent facts left out, list lengths."""

    def clean(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items() if x is not None}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return _value(v)

    doc: dict[str, Any] = clean(project.model_dump(mode="python", by_alias=True, exclude_none=True))
    for path in lists:
        value: Any = doc
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, list):
            doc["__n_" + path.replace(".", "_")] = len(value)
    doc["__as_of"] = day.toordinal()
    doc["_doc"] = 1
    return doc


class DurableBackend:
    """Decides each rule with durable-rules; returns the same verdicts as the native backend."""

    name = "durable"

    def __init__(self) -> None:
        self._host = _SyncHost()
        self._compiled: weakref.WeakKeyDictionary[RuleBook, _Compiled] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._sids = itertools.count()

    def compiled(self, book: RuleBook) -> _Compiled:
        with self._lock:
            c = self._compiled.get(book)
            if c is None:
                c = _compile(book)
                # durable deletes "run" from the definitions it is given: register a copy.
                self._host.register_rulesets(copy.deepcopy(c.rules))
                self._compiled[book] = c
            return c

    def native_nodes(self, book: RuleBook) -> set[Node]:
        """The sub-conditions this backend leaves to the native evaluator."""
        return self.compiled(book).native_nodes

    def verdicts(self, book: RuleBook, project: ProjectFile, day: _dt.date) -> Verdicts:
        c = self.compiled(book)
        doc = normalise(project, day, c.lists)
        ctx = (project, day, None)
        for n in c.natives:
            value = n.fn(ctx)
            if value is not UNKNOWN:
                doc[n.field] = value
        fired: set[str] = set()
        sid = f"case{next(self._sids)}"
        for name, uses in c.uses.items():
            fact = {k: v for k, v in doc.items() if k in uses}
            fact.update(sid=sid, _doc=1)
            fired |= self._assert(name, fact, sid)
        verdicts = []
        for rule in book.active(day):
            keys = c.keys[id(rule)]
            kinds = {k[-1] for k in keys if k in fired}
            verdicts.append((rule, None if "N" in kinds else False if "P" in kinds else True if "F" in kinds else UNKNOWN))
        return [], verdicts

    def _assert(self, ruleset: str, fact: dict[str, Any], sid: str) -> set[str]:
        with self._lock:
            try:
                state = self._host.assert_fact(ruleset, fact)
            except Exception as exc:  # durable reports only a numeric code
                self._forget(ruleset, sid)
                raise DurableError(f"durable-rules 无法审查该案卷：{exc}") from exc
            self._forget(ruleset, sid)
        if not isinstance(state, dict):
            raise DurableError(f"durable-rules 未返回会话状态：{state!r}")
        if "exception" in state:  # durable swallows action exceptions into the state
            raise DurableError(f"durable-rules 规则动作出错：{state['exception']}")
        return {k for k in state if k.startswith("r")}

    def _forget(self, ruleset: str, sid: str) -> None:
        """Delete the case's session: a live one costs ~0.5 MB, and the 1025th live one fails."""
        try:
            self._host.delete_state(ruleset, sid)
        except Exception:  # noqa: BLE001 - error 309: the failed assert left no session to delete
            pass


def make() -> DurableBackend:
    return DurableBackend()
