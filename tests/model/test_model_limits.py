"""The models themselves refuse what no parser may let through (dicts from the service, say)."""

from __future__ import annotations

import math

import pytest
from pydantic import BaseModel, ValidationError

from approval_rules.model import facts
from approval_rules.model.project.base import Model


def _models(model: type[BaseModel], seen: set) -> None:
    if model in seen:
        return
    seen.add(model)
    for f in facts.fields_of(model).values():
        t = f.type.elem if f.type.kind == "list" and f.type.elem else f.type
        if t.model is not None:
            _models(t.model, seen)


MODELS: set = set()
_models(facts.ROOT.model, MODELS)


@pytest.mark.parametrize("model", sorted(MODELS, key=lambda m: m.__name__), ids=lambda m: m.__name__)
def test_every_model_refuses_nan_and_huge_integers(model):
    assert issubclass(model, Model) and model.model_config.get("allow_inf_nan") is False
    for name, f in facts.fields_of(model).items():
        kind = f.type.elem.kind if f.type.kind == "list" and f.type.elem else f.type.kind
        for bad in {"number": [math.nan, math.inf], "int": [10**30, -(10**30)]}.get(kind, []):
            value = [bad] if f.type.kind == "list" else bad
            with pytest.raises(ValidationError) as info:
                model.model_validate({name: value})
            assert any(e["loc"][:1] == (name,) for e in info.value.errors()), (name, bad)
