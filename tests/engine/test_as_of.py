"""``evaluate``'s ``as_of``: a date or ISO text; anything else is refused in Chinese."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from approval_rules import evaluate, load_project, load_rule_book

CASE = Path(__file__).parents[2] / "cases/three-simultaneous/real-approve-lifecycle-2-design-review.yaml"


@pytest.fixture(scope="module")
def book_and_project():
    return load_rule_book(), load_project(CASE).project


def test_iso_text_is_the_same_as_the_date(book_and_project):
    book, project = book_and_project
    by_text = evaluate(book, project, as_of="2024-01-01")
    by_date = evaluate(book, project, as_of=dt.date(2024, 1, 1))
    assert by_text.as_of == dt.date(2024, 1, 1)
    assert by_text.to_dict() == by_date.to_dict()


@pytest.mark.parametrize("bad", ["2024-13-01", "明天", 20240101, dt.datetime(2024, 1, 1, 9, 30)])
def test_anything_else_is_a_chinese_value_error(book_and_project, bad):
    book, project = book_and_project
    with pytest.raises(ValueError, match="as_of（决定日期）应为日期"):
        evaluate(book, project, as_of=bad)
