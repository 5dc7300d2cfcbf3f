"""The ``batch`` layer: screening many files: inputs, worker pool, results store, exports, report, synthetic files.

May import: core, model, lang, ruleset, engine (not authoring, not cli)."""
