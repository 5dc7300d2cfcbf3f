"""Backends decide the rules in force on one file: native, reference, durable, chosen by ``make_backend``.

May import: core, model, lang, ruleset, engine; a backend module is imported by ``make_backend`` only."""

from __future__ import annotations

from importlib import import_module

from ..evaluator import Backend

# The registry: each name is a module here with ``make()``. A new backend is a module and a name below.
BACKENDS = ("native", "reference", "durable")


def make_backend(name: str) -> Backend:
    """The backend called ``name``; its module (for durable, durable-rules) is imported only when asked for."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}")
    backend: Backend = import_module(f"{__name__}.{name}").make()
    return backend
