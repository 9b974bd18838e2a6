"""Reading one cell value the way a careful reviewer would.

A cell holds whatever the user typed: a number, a number as text (``"4"``, ``" 4 "``, full-width
``４``, ``4件``), an amount with its unit (``326.8万元``), junk, or nothing. ``read_value``
returns the number it certainly means — or None — and the problem worth telling the user.
Blank is never 0.
"""
from __future__ import annotations

import datetime
import math
import unicodedata
from decimal import Decimal, InvalidOperation

from . import lazyre
from .numbers import decimal_of, format_number  # noqa: F401  (re-exported)
from .record import record

# counts above this are typing slips far more often than real (a township gets a few dozen)
ABSURD_COUNT = 1_000_000
AMOUNT_PLACES = 6

_SPACES = lazyre.compile(r"[\s\u3000\u00a0\u2002\u2003\u200b]+")
_NUMBER = lazyre.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_COUNT_UNITS = ("件", "条", "个", "项", "次", "起", "人")
_YUAN = {"万元": Decimal(1), "元": Decimal("0.0001")}


@record(frozen=True)
class ValueProblem:
    """Something worth telling about one cell's raw content: a code and its parameters; the words
    come from the message catalogue (``R0.<key>``)."""

    code: str  # machine-readable: text_number, fullwidth, unit_suffix, blank, not_number, negative, fraction, ...
    severity: str  # error | warning
    params: tuple = ()  # (name, value) pairs, hashable
    key: str = ""  # catalogue entry when the code has several sentences (negative count vs amount)

    @property
    def message_key(self) -> str:
        return "R0." + (self.key or self.code)

    def text(self, lang: str = "zh") -> str:
        from .messages import say
        return say(self.message_key, lang, **dict(self.params))

    @property
    def zh(self) -> str:
        return self.text("zh")

    @property
    def en(self) -> str:
        return self.text("en")


def _problem(code, severity, key: str = "", **params):
    return ValueProblem(code, severity, tuple(params.items()), key)


def read_value(raw, cell_type: str) -> tuple[int | Decimal | None, ValueProblem | None]:
    """The number a cell certainly holds, and what is worth saying about it.

    cell_type: ``count`` (integer ≥ 0), ``signed`` (integer), ``amount`` (decimal ≥ 0, 万元).
    """
    if raw is None or (isinstance(raw, str) and _SPACES.sub("", raw) == ""):
        return None, _problem("blank", "error")
    if isinstance(raw, bool):
        return None, _problem("not_number", "error", "bool", raw=str(raw))
    converted = None
    if isinstance(raw, (int, float, Decimal)):
        if isinstance(raw, float) and not math.isfinite(raw):
            return None, _problem("not_number", "error", "not_finite")
        number = decimal_of(raw)
    elif isinstance(raw, str):
        number, converted = _parse_text(raw, cell_type)
        if number is None:
            return None, converted
    elif isinstance(raw, (datetime.date, datetime.time, datetime.timedelta)):
        return None, _problem("date", "error", raw=str(raw))
    else:
        shown = str(raw)[:40]
        return None, _problem("not_number", "error", "unreadable", raw=shown)
    value, problem = _check_number(number, cell_type)
    if problem is not None:
        return value, problem
    return value, converted


def _parse_text(raw: str, cell_type: str):
    text = unicodedata.normalize("NFKC", raw)  # full-width digits/signs → ASCII
    fullwidth = text != raw and any(unicodedata.east_asian_width(ch) == "F" for ch in raw)
    stripped = _SPACES.sub("", text).replace(",", "")
    if stripped.startswith("="):
        return None, _problem("formula_text", "error", raw=raw.strip())
    if stripped.startswith("#"):
        return None, _problem("error_value", "error", raw=stripped)
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
        return None, _problem("not_number", "error", raw=raw.strip())
    try:
        number = Decimal(stripped) * scale
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        return None, _problem("not_number", "error", raw=raw.strip())
    shown = format_number(number)
    if unit == "元":
        return number, _problem("unit_converted", "warning", raw=raw.strip(), shown=shown)
    if unit:
        return number, _problem("unit_suffix", "warning", raw=raw.strip(), shown=shown)
    if fullwidth:
        return number, _problem("fullwidth", "warning", raw=raw.strip(), shown=shown)
    return number, _problem("text_number", "warning", raw=raw, shown=shown)


def _check_number(number: Decimal, cell_type: str):
    if cell_type in ("count", "signed"):
        if number == number.to_integral_value():
            value = int(number)
            if (cell_type == "signed" or value >= 0) and abs(value) < ABSURD_COUNT:
                return value, None  # the common case: nothing to say, nothing to format
    shown = format_number(number)
    if cell_type in ("count", "signed"):
        if number != number.to_integral_value():
            return number, _problem("fraction", "error", shown=shown)
        value = int(number)
        if cell_type == "count" and value < 0:
            return value, _problem("negative", "error", shown=shown)
        if abs(value) >= ABSURD_COUNT:
            return value, _problem("absurd", "warning", shown=shown)
        return value, None
    if number < 0:
        return number, _problem("negative", "error", "amount_negative", shown=shown)
    if -number.as_tuple().exponent > AMOUNT_PLACES if number.as_tuple().exponent < 0 else False:
        return number, _problem("precision", "warning", shown=shown, places=AMOUNT_PLACES)
    if number >= ABSURD_COUNT:
        return number, _problem("absurd", "warning", "amount_absurd", shown=shown)
    return number.normalize() if number == number.to_integral_value() else number, None
