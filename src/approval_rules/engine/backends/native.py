"""The native backend: the rule book's compiled plan (routing index, generated code); the default."""

from __future__ import annotations

import datetime as _dt

from ...model.project import ProjectFile
from ..book import RuleBook
from ..evaluator import Verdicts, native_verdicts


class NativeBackend:
    """Compiled closures over the rules the routing index leaves: the default, the fastest."""

    name = "native"

    def verdicts(self, book: RuleBook, project: ProjectFile, day: _dt.date) -> Verdicts:
        return native_verdicts(book, project, day)


NATIVE = NativeBackend()


def make() -> NativeBackend:
    return NATIVE
