"""The ``lang`` layer: the condition language: AST, parser, types, three-valued values, interpreter, analysis, prose.

May import: core, model."""
