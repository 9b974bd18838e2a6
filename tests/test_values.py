from decimal import Decimal

import pytest

from gxnb_xl.values import format_number, read_value


@pytest.mark.parametrize("raw,kind,value,code", [
    (4, "count", 4, None),
    (4.0, "count", 4, None),
    ("4", "count", 4, "text_number"),
    (" 4 ", "count", 4, "text_number"),
    ("４", "count", 4, "fullwidth"),
    ("4件", "count", 4, "unit_suffix"),
    (None, "count", None, "blank"),
    ("", "count", None, "blank"),
    ("abc", "count", None, "not_number"),
    ("#REF!", "count", None, "error_value"),
    ("=SUM(A1:A3)", "count", None, "formula_text"),
    (-3, "count", -3, "negative"),
    (-3, "signed", -3, None),
    ("+32", "signed", 32, "text_number"),
    (2.5, "count", Decimal("2.5"), "fraction"),
    ("326.8万元", "amount", Decimal("326.8"), "unit_suffix"),
    ("251000元", "amount", Decimal("25.1"), "unit_converted"),
    (0.1, "amount", Decimal("0.1"), None),
    (True, "count", None, "not_number"),
])
def test_read_value(raw, kind, value, code):
    got, problem = read_value(raw, kind)
    assert got == value
    assert (problem.code if problem else None) == code


def test_blank_is_never_zero():
    value, problem = read_value(None, "count")
    assert value is None and problem.severity == "error"


def test_amounts_are_exact():
    value, _ = read_value(0.1, "amount")
    assert value + Decimal("0.2") == Decimal("0.3")
    assert format_number(Decimal("25.1000")) == "25.1"
