"""The ``engine`` layer: rule sets compiled into a ``RuleBook``, evaluated into a ``Decision`` (the contract).

May import: core, model, lang, ruleset. Its modules never import ``engine.backends`` (only this facade does)."""

from .backends import BACKENDS, make_backend
from .evaluator import BackendUnavailable

__all__ = ["BACKENDS", "BackendUnavailable", "make_backend"]
