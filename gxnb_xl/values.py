"""Reading one cell value the way a careful reviewer would.

A cell holds whatever the user typed: a number, a number as text (``"4"``, ``" 4 "``, full-width
``４``, ``4件``), an amount with its unit (``326.8万元``), junk, or nothing. ``read_value``
returns the number it certainly means — or None — and the problem worth telling the user.
Blank is never 0.
"""
from __future__ import annotations

import datetime
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# counts above this are typing slips far more often than real (a township gets a few dozen)
ABSURD_COUNT = 1_000_000
AMOUNT_PLACES = 6

_SPACES = re.compile(r"[\s\u3000\u00a0\u2002\u2003\u200b]+")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_COUNT_UNITS = ("件", "条", "个", "项", "次", "起", "人")
_YUAN = {"万元": Decimal(1), "元": Decimal("0.0001")}


@dataclass(frozen=True)
class ValueProblem:
    """Something worth telling about one cell's raw content."""

    code: str  # machine-readable: text_number, fullwidth, unit_suffix, blank, not_number, negative, fraction, ...
    severity: str  # error | warning
    zh: str
    en: str


def _problem(code, severity, zh, en):
    return ValueProblem(code, severity, zh, en)


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


def read_value(raw, cell_type: str) -> tuple[int | Decimal | None, ValueProblem | None]:
    """The number a cell certainly holds, and what is worth saying about it.

    cell_type: ``count`` (integer ≥ 0), ``signed`` (integer), ``amount`` (decimal ≥ 0, 万元).
    """
    if raw is None or (isinstance(raw, str) and _SPACES.sub("", raw) == ""):
        return None, _problem("blank", "error", "未填写（空白不等于 0；没有请填 0）",
                              "left blank (blank is not 0; type 0 if there were none)")
    if isinstance(raw, bool):
        return None, _problem("not_number", "error", f"填写了逻辑值 {raw}，不是数字", f"holds the boolean {raw}, not a number")
    converted = None
    if isinstance(raw, (int, float, Decimal)):
        if isinstance(raw, float) and not math.isfinite(raw):
            return None, _problem("not_number", "error", "不是有效数字", "not a finite number")
        number = decimal_of(raw)
    elif isinstance(raw, str):
        number, converted = _parse_text(raw, cell_type)
        if number is None:
            return None, converted
    elif isinstance(raw, (datetime.date, datetime.time, datetime.timedelta)):
        return None, _problem("date", "error", f"填写的是日期或时间（{raw}），请填写数字；Excel 会把“1-2”“3/4”之类自动变成日期",
                              f"holds a date/time ({raw}), not a number; spreadsheets turn '1-2' or '3/4' into dates")
    else:
        shown = str(raw)[:40]
        return None, _problem("not_number", "error", f"无法识别的内容“{shown}”，请填写数字", f"unreadable content {shown!r}; type a number")
    value, problem = _check_number(number, cell_type)
    if problem is not None:
        return value, problem
    return value, converted


def _parse_text(raw: str, cell_type: str):
    text = unicodedata.normalize("NFKC", raw)  # full-width digits/signs → ASCII
    fullwidth = text != raw and any(unicodedata.east_asian_width(ch) == "F" for ch in raw)
    stripped = _SPACES.sub("", text).replace(",", "")
    if stripped.startswith("="):
        return None, _problem("formula_text", "error", f"填写了公式文本“{raw.strip()}”，请填写数字",
                              f"holds formula text {raw.strip()!r}; type a number")
    if stripped.startswith("#"):
        return None, _problem("error_value", "error", f"单元格显示错误值 {stripped}，请重新填写数字",
                              f"shows the error value {stripped}; type a number")
    scale, unit = Decimal(1), ""
    if cell_type == "amount":
        for suffix, factor in _YUAN.items():
            if stripped.endswith(suffix):
                stripped, scale, unit = stripped[: -len(suffix)], factor, suffix
                break
    else:
        for suffix in _COUNT_UNITS:
            if stripped.endswith(suffix):
                stripped, unit = stripped[: -len(suffix)], suffix
                break
    if not _NUMBER.fullmatch(stripped):
        return None, _problem("not_number", "error", f"“{raw.strip()}”不是数字", f"{raw.strip()!r} is not a number")
    try:
        number = Decimal(stripped) * scale
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        return None, _problem("not_number", "error", f"“{raw.strip()}”不是数字", f"{raw.strip()!r} is not a number")
    shown = format_number(number)
    if unit == "元":
        return number, _problem("unit_converted", "warning", f"金额“{raw.strip()}”以元填写，已换算为 {shown} 万元",
                                f"amount {raw.strip()!r} was in yuan; read as {shown} (10k yuan)")
    if unit:
        return number, _problem("unit_suffix", "warning", f"“{raw.strip()}”带有单位，已按 {shown} 读取，请只填数字",
                                f"{raw.strip()!r} carries a unit; read as {shown}; type the number only")
    if fullwidth:
        return number, _problem("fullwidth", "warning", f"“{raw.strip()}”为全角字符，已按 {shown} 读取",
                                f"{raw.strip()!r} uses full-width characters; read as {shown}")
    return number, _problem("text_number", "warning", f"数字“{raw}”以文本形式填写，已按 {shown} 读取",
                            f"the number {raw!r} was typed as text; read as {shown}")


def _check_number(number: Decimal, cell_type: str):
    if cell_type in ("count", "signed"):
        if number == number.to_integral_value():
            value = int(number)
            if (cell_type == "signed" or value >= 0) and abs(value) < ABSURD_COUNT:
                return value, None  # the common case: nothing to say, nothing to format
    shown = format_number(number)
    if cell_type in ("count", "signed"):
        if number != number.to_integral_value():
            return number, _problem("fraction", "error", f"{shown} 含小数，件数应为整数", f"{shown} has decimals; counts are whole numbers")
        value = int(number)
        if cell_type == "count" and value < 0:
            return value, _problem("negative", "error", f"{shown} 为负数，件数不能小于 0", f"{shown} is negative; counts cannot be below 0")
        if abs(value) >= ABSURD_COUNT:
            return value, _problem("absurd", "warning", f"{shown} 数值异常大，请核实", f"{shown} is implausibly large; please confirm")
        return value, None
    if number < 0:
        return number, _problem("negative", "error", f"金额 {shown} 为负数", f"amount {shown} is negative")
    if -number.as_tuple().exponent > AMOUNT_PLACES if number.as_tuple().exponent < 0 else False:
        return number, _problem("precision", "warning", f"金额 {shown} 超过 {AMOUNT_PLACES} 位小数（单位为万元），请核实",
                                f"amount {shown} has more than {AMOUNT_PLACES} decimals (unit: 10k yuan)")
    if number >= ABSURD_COUNT:
        return number, _problem("absurd", "warning", f"金额 {shown} 万元数值异常大，请核实单位", f"amount {shown} is implausibly large; check the unit")
    return number.normalize() if number == number.to_integral_value() else number, None
