"""Hypothesis strategies for project files: from the schema, and as mutations of the bundled cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import strategies as st

from pydantic import ValidationError
from approval_rules.model import facts
from approval_rules.ruleset.loader import load_project
from approval_rules.model.project import ProjectFile

DATES = st.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2028, 12, 31))


def value_of(t: facts.Type, depth: int) -> st.SearchStrategy:
    if t.kind == "bool":
        return st.booleans()
    if t.kind == "int":
        return st.integers(0, 20)
    if t.kind == "number":
        return st.one_of(st.integers(0, 500), st.floats(0, 500, allow_nan=False, allow_infinity=False))
    if t.kind == "date":
        return DATES
    if t.kind == "enum":
        return st.sampled_from(t.values)
    if t.kind == "string":
        return st.text("abc甲乙-1", max_size=6)
    if t.kind == "list" and t.elem is not None:
        return st.lists(value_of(t.elem, depth + 1), max_size=2)
    if t.kind == "object" and t.model is not None:
        return model_dict(t.model, depth + 1)
    return st.none()


@st.composite
def model_dict(draw, model, depth: int = 0) -> dict:
    """A dict for ``model``: every required field and a few optional ones (files stay small)."""
    fields = facts.fields_of(model)
    required = {f.alias or name for name, f in model.model_fields.items() if f.is_required()}
    optional = sorted(n for n, f in fields.items() if n not in required and not (depth >= 2 and f.type.kind in ("object", "list")))
    chosen = draw(st.lists(st.sampled_from(optional), max_size=8 if depth == 0 else 4, unique=True)) if optional else []
    return {name: draw(value_of(fields[name].type, depth)) for name in sorted(required) + chosen}


def schema_projects() -> st.SearchStrategy[ProjectFile]:
    return model_dict(ProjectFile).map(_in_order)


def _in_order(data: dict) -> ProjectFile:
    """The drawn file; where two of its dates are out of order (refused as input), that object's dates made one."""
    try:
        return ProjectFile.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            if err["type"] != "date_order":
                raise
            holder = data
            for k in err["loc"]:
                holder = holder[k]
            dates = {k: v for k, v in holder.items() if isinstance(v, dt.date)}
            holder.update(dict.fromkeys(dates, min(dates.values())))
        return ProjectFile.model_validate(data)


def bundled_case_dicts(cases_root: Path) -> list[dict]:
    out = []
    for path in sorted(cases_root.rglob("*.yaml")):
        p = load_project(path).project
        out.append(p.model_dump(mode="python", by_alias=True, exclude_none=True))
    return out


def leaf_paths(data, prefix=()):
    """Every removable leaf (path to a scalar or list) in a nested dict."""
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(v, dict):
                yield from leaf_paths(v, prefix + (k,))
            else:
                yield prefix + (k,)


def without(data: dict, path: tuple) -> dict:
    import copy

    out = copy.deepcopy(data)
    cur = out
    for k in path[:-1]:
        cur = cur[k]
    del cur[path[-1]]
    return out


@st.composite
def mutated(draw, bases: list[dict]):
    """A bundled case with some leaves removed, flipped, shifted or replaced."""
    import copy

    data = copy.deepcopy(draw(st.sampled_from(bases)))
    paths = list(leaf_paths(data))
    for path in draw(st.lists(st.sampled_from(paths), max_size=4, unique=True)) if paths else []:
        cur = data
        for k in path[:-1]:
            cur = cur[k]
        value = cur[path[-1]]
        if path in (("application", "kind"), ("application", "submitted_date"), ("enterprise", "industry")) or path[-1] == "expect":
            continue
        action = draw(st.sampled_from(["drop", "mutate"]))
        if action == "drop":
            del cur[path[-1]]
        elif isinstance(value, bool):
            cur[path[-1]] = not value
        elif isinstance(value, dt.date):
            cur[path[-1]] = value + dt.timedelta(days=draw(st.integers(-800, 800)))
        elif isinstance(value, int):
            cur[path[-1]] = max(0, value + draw(st.integers(-3, 3)))
        elif isinstance(value, list) and value:
            del value[draw(st.integers(0, len(value) - 1))]
    try:
        return ProjectFile.model_validate(data)
    except Exception:  # noqa: BLE001 - a mutation may break an enum-in-context; use the base then
        return ProjectFile.model_validate(draw(st.sampled_from(bases)))
