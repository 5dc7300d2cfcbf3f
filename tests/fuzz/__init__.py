"""Fuzz targets, one per input kind: project files, rule sets, JSON Lines batches, the service's bodies.

Run with a time budget: ``python -m tests.fuzz --seconds 60`` (all targets) or
``python -m tests.fuzz --target project --seconds 300``. CI runs each target briefly with fixed
seeds (tests/test_fuzz.py). Each target mutates real inputs (the bundled cases and rules) with the
hostile values below and checks the promises: no crash, no fail-open, nothing lost.
"""
