from __future__ import annotations

import datetime as dt
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from approval_rules.lang.values import UNKNOWN, add_months, days_between, months_between, shift, years_between

D = dt.date


@pytest.mark.parametrize(
    "day, months, want",
    [
        (D(2024, 6, 15), -3, D(2024, 3, 15)),
        (D(2024, 5, 31), -3, D(2024, 2, 29)),
        (D(2023, 5, 31), -3, D(2023, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 12, 15), 1, D(2025, 1, 15)),
        (D(2021, 6, 15), 36, D(2024, 6, 15)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, want):
    assert add_months(day, months) == want


def test_between_functions():
    assert days_between(D(2024, 3, 15), D(2024, 6, 15)) == 92
    assert months_between(D(2024, 3, 15), D(2024, 6, 15)) == 3
    assert months_between(D(2024, 3, 16), D(2024, 6, 15)) == 2
    assert months_between(D(2024, 6, 15), D(2024, 3, 15)) == -3
    assert years_between(D(2021, 6, 15), D(2024, 6, 14)) == 2
    assert years_between(D(2021, 6, 15), D(2024, 6, 15)) == 3
    assert shift(D(2024, 2, 29), 1, "years") == D(2025, 2, 28)
    assert shift(D(2024, 3, 1), -1, "days") == D(2024, 2, 29)


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 1, 1)), st.integers(-240, 240))
def test_months_between_inverts_add_months_when_no_clamping(day, n):
    if day.day <= 28:
        assert months_between(day, add_months(day, n)) == n


def test_unknown_has_no_truth_value_and_survives_pickling():
    with pytest.raises(TypeError):
        bool(UNKNOWN)
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN
