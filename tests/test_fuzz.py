"""The fuzz targets (tests/fuzz), run briefly with fixed seeds: every promise holds on these inputs.

Longer runs: ``python -m tests.fuzz --seconds 600`` (a new seed each time, printed for replay).
"""

from __future__ import annotations

import pytest

from tests.fuzz.__main__ import run  # the package as `python -m tests.fuzz` runs it

BRIEF = {"project": 300, "rules": 12, "batch": 4, "service": 150}


@pytest.mark.parametrize("target", list(BRIEF))
def test_fuzz_target_finds_nothing(target):
    outcome = run(target, seconds=600, seed=20261208, max_inputs=BRIEF[target])
    assert outcome.tried == BRIEF[target]
    assert outcome.findings == {}, "\n".join(f"{f['problem']}\n  输入：{f['input']}" for f in outcome.findings.values())
