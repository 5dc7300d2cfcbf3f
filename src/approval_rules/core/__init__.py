"""The ``core`` layer: positions, diagnostics and the table of error codes; where the bundled data lives.

May import: nothing from approval_rules (every other layer may import it)."""
