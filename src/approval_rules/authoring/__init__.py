"""The ``authoring`` layer: tools for rule writers: lint, coverage, explain, catalogue, rule diff, case tests.

May import: core, model, lang, ruleset, engine (not batch, not cli)."""
