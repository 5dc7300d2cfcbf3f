from __future__ import annotations

import datetime as dt

import pytest

from approval_rules.lang.expr import Between, BoolOp, Call, Compare, Literal, Not, Path, Period, Where, walk
from approval_rules.lang.parser import OffsetError, parse


def test_precedence_or_below_and_below_not():
    node = parse("a or b and not c")
    assert isinstance(node, BoolOp) and node.op == "or"
    right = node.operands[1]
    assert isinstance(right, BoolOp) and right.op == "and"
    assert isinstance(right.operands[1], Not)


def test_chained_and_is_flat():
    node = parse("a and b and c")
    assert isinstance(node, BoolOp) and len(node.operands) == 3


def test_between_binds_its_own_and():
    node = parse("x between a and b and y")
    assert isinstance(node, BoolOp) and node.op == "and"
    assert isinstance(node.operands[0], Between)


def test_literals_dates_periods_and_negative_numbers():
    node = parse("d <= licence.expiry_date - 3 months and n > -1.5")
    cmp = node.operands[0]
    assert isinstance(cmp.right.right, Period) and cmp.right.right.unit == "months"
    assert parse("as_of >= 2021-09-01").right.value == dt.date(2021, 9, 1)
    assert node.operands[1].right.value == -1.5


def test_where_inside_a_call_and_is_missing_sugar():
    node = parse("any(accidents where deaths > 0)")
    assert isinstance(node, Call) and isinstance(node.args[0], Where)
    missing = parse("licence.expiry_date is missing")
    assert isinstance(missing, Not) and isinstance(missing.operand, Call) and missing.operand.name == "exists"
    present = parse("licence.expiry_date is present")
    assert isinstance(present, Call)


def test_not_in_and_string_escapes():
    node = parse('x not in ["a", "b\\"c"]')
    assert isinstance(node, Compare) and node.op == "not_in"
    assert [i.value for i in node.right.items] == ["a", 'b"c']


def test_offsets_point_into_the_text():
    text = 'enterprise.industry == "coal_mine"'
    node = parse(text)
    lit = node.right
    assert text[lit.start:lit.end] == '"coal_mine"'
    assert all(0 <= n.start <= n.end <= len(text) for n in walk(node))


@pytest.mark.parametrize(
    "text, code, offset",
    [
        ("a ＝ b", "E307", 2),
        ("a（b", "E307", 1),
        ("a = b", "E301", 2),
        ("a && b", "E301", 2),
        ("a ==", "E301", 4),
        ("(a == b", "E301", 7),
        ("", "E301", 0),
        ("a == 企业", "E301", 5),
        ("as_of > 2021-02-30", "E205", 8),
        ("3.5 months", "E301", 0),
        ("a and", "E301", 5),
        ("not", "E301", 3),
    ],
)
def test_syntax_errors_have_codes_and_offsets(text, code, offset):
    with pytest.raises(OffsetError) as info:
        parse(text)
    assert (info.value.code, info.value.offset) == (code, offset)


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(OffsetError):
        parse("(" * 500 + "a" + ")" * 500)
    with pytest.raises(OffsetError):
        parse("not " * 500 + "a")


def test_paths_and_calls():
    node = parse("exists(materials.business_license)")
    assert isinstance(node, Call) and isinstance(node.args[0], Path)
    assert node.args[0].names == ("materials", "business_license")
    assert isinstance(parse("true"), Literal)
