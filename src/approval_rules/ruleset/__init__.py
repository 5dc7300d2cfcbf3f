"""The ``ruleset`` layer: the rule-set language (models, JSON Schema) and loading YAML/JSON files with positions.

May import: core, model, lang."""
