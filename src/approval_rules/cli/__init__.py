"""The ``cli`` layer: the ``approval-rules`` command; ``main`` is the console script.

May import: every layer."""

from .app import cli, main

__all__ = ["cli", "main"]
