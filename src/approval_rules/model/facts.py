"""The fact catalogue: every path a rule may read, its type and Chinese title, from the models.

Rules are type-checked against this catalogue when they load, the way Cedar's validator
checks policies against a schema, so a misspelt fact is a load error, never a silent false.
"""

from __future__ import annotations

import datetime as _dt
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Iterator, Literal

from pydantic import BaseModel

from .project import Labels, ProjectFile


@dataclass(frozen=True)
class Type:
    """The type of a fact or expression value."""

    kind: str  # bool int number string date period enum list object null any
    labels: Labels | None = None
    elem: "Type | None" = None
    model: type[BaseModel] | None = None

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(self.labels.labels) if self.labels else ()

    def describe(self) -> str:
        if self.kind == "list" and self.elem:
            return f"{self.elem.describe()}列表"
        return _KIND_ZH.get(self.kind, self.kind)

    def is_numeric(self) -> bool:
        return self.kind in ("int", "number")


_KIND_ZH = {
    "bool": "是/否",
    "int": "整数",
    "number": "数字",
    "string": "文字",
    "date": "日期",
    "period": "期间",
    "enum": "枚举值",
    "object": "对象",
    "list": "列表",
    "null": "空值",
    "any": "任意值",
}

BOOL = Type("bool")
INT = Type("int")
NUMBER = Type("number")
STRING = Type("string")
DATE = Type("date")
PERIOD = Type("period")
ANY = Type("any")


@dataclass(frozen=True)
class Field:
    """One field of a model, as rules see it."""

    name: str  # the name in files and rules (the alias where one is set)
    attr: str  # the Python attribute
    type: Type
    title: str
    provenance: str = "applicant"
    complete_flag: str | None = None


def type_of(annotation: object) -> Type:
    """Translate a pydantic field annotation into a catalogue type."""
    labels = None
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *meta = typing.get_args(annotation)
        labels = next((m for m in meta if isinstance(m, Labels)), None)
        inner = type_of(base)
        return Type("enum", labels=labels) if labels else inner
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return type_of(args[0]) if len(args) == 1 else ANY
    if origin is list:
        return Type("list", elem=type_of(typing.get_args(annotation)[0]))
    if origin is dict:
        return Type("map", elem=type_of(typing.get_args(annotation)[1]))
    if origin is Literal:
        values = typing.get_args(annotation)
        return Type("enum", labels=Labels("", {v: v for v in values}))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Type("object", model=annotation)
    scalars: dict[object, Type] = {bool: BOOL, int: INT, float: NUMBER, str: STRING, _dt.date: DATE}
    return scalars.get(annotation, ANY)


@lru_cache(maxsize=None)
def fields_of(model: type[BaseModel]) -> dict[str, Field]:
    """The fields of a model keyed by the name rules use."""
    out: dict[str, Field] = {}
    for attr, info in model.model_fields.items():
        name = info.alias or attr
        t = type_of(info.annotation)
        # pydantic moves the metadata of a bare Annotated field onto FieldInfo.
        labels = next((m for m in info.metadata if isinstance(m, Labels)), None)
        if labels is not None and t.kind == "enum":
            t = Type("enum", labels=labels)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        out[name] = Field(
            name, attr, t, info.title or name, str(extra.get("x-provenance", "applicant")),
            extra.get("x-complete-flag"),  # type: ignore[arg-type]
        )
    return out


ROOT = Type("object", model=ProjectFile)


def lookup(path: tuple[str, ...], start: Type = ROOT) -> list[Field] | None:
    """The fields along ``path`` from ``start``, or None if some segment is unknown."""
    out: list[Field] = []
    current = start
    for name in path:
        if current.kind != "object" or current.model is None:
            return None
        field = fields_of(current.model).get(name)
        if field is None:
            return None
        out.append(field)
        current = field.type
    return out


def walk(start: Type = ROOT, prefix: str = "") -> Iterator[tuple[str, Field]]:
    """Every path below ``start`` with its field; list elements appear as ``path[]``."""
    if start.model is None:
        return
    for name, field in fields_of(start.model).items():
        path = f"{prefix}{name}"
        yield path, field
        t = field.type
        if t.kind == "object":
            yield from walk(t, path + ".")
        elif t.kind == "list" and t.elem and t.elem.kind == "object":
            yield from walk(t.elem, path + "[].")


@lru_cache(maxsize=1)
def all_paths() -> tuple[str, ...]:
    return tuple(p for p, _ in walk())


def title_of(path: str) -> str:
    """The Chinese title of a dotted path (list indices allowed), for messages."""
    names = tuple(seg for seg in path.replace("[]", "").split(".") if seg and not seg.isdigit())
    clean = []
    for seg in names:
        clean.append(seg.split("[")[0])
    fields = _lookup_through_lists(tuple(clean))
    return "·".join(f.title for f in fields) if fields else path


def _lookup_through_lists(path: tuple[str, ...]) -> list[Field] | None:
    out: list[Field] = []
    current = ROOT
    for name in path:
        if current.kind == "list" and current.elem:
            current = current.elem
        if current.kind != "object" or current.model is None:
            return None
        field = fields_of(current.model).get(name)
        if field is None:
            return None
        out.append(field)
        current = field.type
    return out


def provenance_of(path: str) -> str:
    """Who supplies a fact: the first non-applicant provenance along its path, else applicant.

    Everything under an authority object (a review the authority organised) is the authority's.
    Materials are always the applicant's; unknown paths count as the applicant's (fail closed).
    """
    names = tuple(seg.split("[")[0] for seg in path.replace("[]", "").split(".") if seg and not seg.isdigit())
    for f in _lookup_through_lists(names) or []:
        if f.provenance != "applicant":
            return f.provenance
    return "applicant"


@lru_cache(maxsize=1)
def open_lists() -> dict[str, str]:
    """Top-level lists that are a lower bound unless declared complete: list name → flag name."""
    return {name: f.complete_flag for name, f in fields_of(ProjectFile).items() if f.complete_flag}


def label_of(t: Type, value: object) -> str | None:
    """The Chinese label of an enum value, if the type carries labels."""
    if t.labels and isinstance(value, str):
        return t.labels.labels.get(value)
    return None
