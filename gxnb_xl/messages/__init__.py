"""Words at the edge: every sentence a user reads comes from a catalogue, by code and parameters.

The library builds findings and reasons as data (``code`` + ``params``); the CLI, the JSON writer,
the workbook and Word writers and the buttons choose a language and call :func:`say` (or
``Finding.text``). The catalogue is the TOML files beside this module, one per area, each entry::

    [D1]
    zh = "{cell:name}：表中存放的合计 {stored:num} …"
    en = "{cell:name}: the stored total {stored:num} …"

Format specs understood in templates: ``num`` (a number as a clerk writes it), ``name`` (a cell id
as its row/column label; needs the report's format), ``names`` (a list of cell ids), ``list`` (a
list of texts joined the language's way). Relation and text-rule sentences live with their rules
in ``formats/*.toml`` and are rendered here the same way.
"""
from __future__ import annotations

import string
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

LANGS = ("zh", "en")


def t(lang: str, zh: str, en: str) -> str:
    """The one zh/en switch, for sentences too small to be worth a catalogue entry (CLI frames)."""
    return en if lang == "en" else zh


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """Every entry of every ``*.toml`` beside this module; a key defined twice is a bug."""
    from .. import tomlcache
    out: dict[str, dict[str, str]] = {}
    files = sorted((f for f in Path(__file__).parent.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    for f in files:
        for key, entry in _flatten(tomlcache.loads(f.read_bytes())).items():
            if key in out:
                raise KeyError(f"message {key!r} defined twice (again in {f.name})")
            out[key] = entry
    return out


def _flatten(table: dict, prefix: str = "") -> dict[str, dict[str, str]]:
    """``[reason] sign = {zh=…, en=…}`` and ``[reason.sign]`` both give the key ``reason.sign``."""
    out = {}
    for k, v in table.items():
        if isinstance(v, dict) and ("zh" in v or "en" in v):
            out[prefix + k] = {lang: x for lang, x in v.items() if isinstance(x, str)}
            out.update(_flatten({n: x for n, x in v.items() if isinstance(x, dict)}, f"{prefix}{k}."))
        elif isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
    return out


def has(key: str) -> bool:
    return key in catalogue()


def say(key: str, lang: str = "zh", *, spec=None, **params) -> str:
    """The catalogue sentence ``key`` in ``lang`` with ``params`` filled in."""
    entry = catalogue()[key]
    template = entry.get(lang) or entry.get("zh") or ""
    return fill(template, params, lang, spec)


def fill(template: str, params: dict, lang: str = "zh", spec=None) -> str:
    """Fill a catalogue or format-data template; a missing parameter shows as its name, never raises."""
    return _Formatter(lang, spec).vformat(template, (), _Params(params))


def label(kind: str, value: str, lang: str = "zh") -> str:
    """The word for a code: ``label("severity", "error")`` → 错误 / error."""
    key = f"{kind}.{value}"
    return say(key, lang) if key in catalogue() else value


class _Params(dict):
    def __missing__(self, key):
        return "{" + key + "}"


class _Formatter(string.Formatter):
    def __init__(self, lang: str, spec):
        self.lang, self.spec = lang, spec

    def get_value(self, key, args, kwargs):
        return kwargs[key] if not isinstance(key, int) else args[key]

    def format_field(self, value, format_spec):
        if format_spec == "" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            from ..numbers import (
                format_number,  # a number as a clerk writes it: no '.0', no exponent
            )
            return format_number(value)
        if format_spec == "num":
            from ..numbers import format_number
            return value if isinstance(value, str) else format_number(value) if self.lang != "en" or value is not None else "blank"
        if format_spec == "name":
            return cell_name(self.spec, value, self.lang)
        if format_spec == "names":
            return self._join([cell_name(self.spec, c, self.lang) for c in value])
        if format_spec == "mentions":  # years a narrative names instead of the report's own
            if not value:
                return ""
            years = self._join([str(x) for x in value])
            return f" (it mentions only {years})" if self.lang == "en" else f"（只提到了 {years} 年）"
        if format_spec == "list":
            return self._join([str(x) for x in value])
        return super().format_field(value, format_spec)

    def _join(self, items) -> str:
        return ", ".join(items) if self.lang == "en" else "、".join(items)


def table_name(spec, table: str, lang: str = "zh") -> str:
    """表三 / Table III, from the table's number in the format data."""
    from ..spec import roman_numeral
    number = spec.tables[table]["number"]
    return f"Table {roman_numeral(number)}" if lang == "en" else f"表{number}"


def cell_name(spec, cell: str, lang: str = "zh") -> str:
    """A cell id as the clerk knows it (table, row and column labels); last year's cells say so."""
    from ..spec import PREV
    if not isinstance(cell, str):
        return str(cell)
    base = cell.removeprefix(PREV)
    name = spec.cells[base].name(lang) if spec is not None and base in spec.cells else base
    if cell.startswith(PREV):
        return ("last year's " if lang == "en" else "上年报告") + name
    return name
