"""Each enumeration lists its values twice, in its ``Literal`` (for type checkers) and in its
``Labels`` (for the Chinese catalogue): the two must name the same values in the same order."""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel

from approval_rules.model.project import Labels, ProjectFile
from approval_rules.ruleset.models import RuleFile


def _enums(annotation: Any, seen: set[type]) -> typing.Iterator[tuple[Any, Labels]]:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *meta = typing.get_args(annotation)
        yield from ((base, m) for m in meta if isinstance(m, Labels))
        yield from _enums(base, seen)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in seen:
            seen.add(annotation)
            for info in annotation.model_fields.values():
                # pydantic moves the metadata of a bare Annotated field onto FieldInfo.
                yield from ((info.annotation, m) for m in info.metadata if isinstance(m, Labels))
                yield from _enums(info.annotation, seen)
    else:
        for arg in typing.get_args(annotation):
            yield from _enums(arg, seen)


def test_literal_and_labels_name_the_same_values() -> None:
    seen: set[type] = set()
    found = {labels.name: (literal, labels) for model in (ProjectFile, RuleFile) for literal, labels in _enums(model, seen)}
    assert len(found) > 40
    for name, (literal, labels) in found.items():
        assert typing.get_origin(literal) is Literal, name
        assert typing.get_args(literal) == tuple(labels.labels), name
