"""The ``engine`` layer: rule sets compiled into a ``RuleBook``, evaluated into a ``Decision`` (the contract).

May import: core, model, lang, ruleset. Engine modules never import ``engine.backends``; backends import them."""
