"""Numbers as a clerk writes them: exact decimals, no '.0', no exponent."""
from __future__ import annotations

from decimal import Decimal


def decimal_of(x) -> Decimal:
    """Exact decimal of an int/float/str (floats through their shortest repr, so 326.8 stays 326.8)."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, float):
        return Decimal(repr(x))
    return Decimal(str(x))


def format_number(v) -> str:
    """Plain text of a number: integers without '.0', decimals without exponent or trailing zeros."""
    if v is None:
        return "空白"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    d = decimal_of(v)
    if d == d.to_integral_value():
        return str(int(d))
    s = format(d.normalize(), "f")
    return s
