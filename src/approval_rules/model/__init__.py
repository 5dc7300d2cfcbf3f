"""The ``model`` layer: the project file (pydantic models, one module per domain) and the fact catalogue.

May import: core."""
