"""Backends decide the rules in force on one file: native, reference, durable, chosen by ``make_backend``.

May import: core, model, lang, ruleset, engine; a backend module is imported by ``make_backend`` only."""
