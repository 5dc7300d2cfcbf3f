"""The reference backend: the reference interpreter on every rule in force, without the index."""

from __future__ import annotations

import datetime as _dt

from ...lang.interpreter import interpret
from ...model.project import ProjectFile
from ..book import RuleBook
from ..evaluator import Verdicts, combine


class ReferenceBackend:
    """The reference interpreter on every rule in force, without the index: a second opinion."""

    name = "reference"

    def verdicts(self, book: RuleBook, project: ProjectFile, day: _dt.date) -> Verdicts:
        out = []
        for rule in book.active(day):
            defs = {n: (d.node, d.checked) for n, d in rule.definitions.items()}
            applies = interpret(rule.when.node, rule.when.checked, project, day, defs)
            holds = interpret(rule.require.node, rule.require.checked, project, day, defs)
            out.append((rule, combine(applies, holds)))
        return [], out


def make() -> ReferenceBackend:
    return ReferenceBackend()
