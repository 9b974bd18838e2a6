"""Findings: problems in the user's data, as records (never exceptions).

A finding is data — ``code``, ``severity``, ``cells`` (ids and workbook addresses), ``params`` (the
numbers), ``suspects`` — and its sentence is rendered from the message catalogue only when shown
(``text(lang)``), so one record serves the terminal, ``--json``, the annotated workbook, the review
sheet and the web workbench in either language.

Codes: a relation's rule id (``R3.1``), ``D1`` (a stored total disagrees), ``M1``/``M2`` (cover),
``P1``/``P2`` (previous report), ``S1``–``S7`` (workbook structure), ``T1``… (text rules), and for
``R0`` (one cell's content) the kind: ``blank``, ``text_number``, ``date`` …
"""
from __future__ import annotations

from decimal import Decimal

from .record import field, record
from .values import format_number

SEVERITIES = ("error", "warning", "info")


@record
class Suspect:
    """A cell that probably holds the slip, and the value that would satisfy every relation."""

    cell: str
    observed: int | Decimal | None
    suggested: int | Decimal | None
    reason: str  # digit_typo, transposition, sign, times_ten, digit_count, total_not_updated, arithmetic
    score: float = 0.0
    tied: bool = False  # other cells explain the same imbalance equally well
    together_with: tuple[str, ...] = ()  # for a pair of slips: the other cell
    address: str | None = None

    @property
    def plausible(self) -> bool:
        """A typical slip (typo, transposition, sign, ×10ⁿ, a digit too many) — not merely what
        the equation needs; only these are offered to a clerk as alternatives."""
        return self.reason not in ("arithmetic",)

    def reason_text(self, lang: str = "zh") -> str:
        from .messages import say
        return say(f"reason.{self.reason}", lang)

    def to_dict(self, lang: str = "zh") -> dict:
        d = {"cell": self.cell, "observed": _num(self.observed), "suggested": _num(self.suggested),
             "reason": self.reason_text(lang), "reason_code": self.reason, "score": self.score, "tied": self.tied}
        if self.together_with:
            d["together_with"] = list(self.together_with)
        if self.address:
            d["address"] = self.address
        return d


@record
class Finding:
    """One problem or remark: a code, a severity and the cells and parameters its sentence is made of."""

    code: str
    severity: str  # error | warning | info
    status: str = "fail"  # fail | indeterminate
    cells: list[str] = field(default_factory=list)
    params: dict = field(default_factory=dict)
    suspects: list[Suspect] = field(default_factory=list)
    addresses: dict[str, str] = field(default_factory=dict)  # cell id → sheet!A1
    values: dict[str, object] = field(default_factory=dict)  # cell id → value read
    lhs: int | Decimal | None = None
    rhs: int | Decimal | None = None
    imbalance: int | Decimal | None = None
    rule: str = ""  # the rule family: the code, or R0 for cell contents
    instance: str = ""  # one expansion of a rule: R3.1[natural]
    format: str | None = None  # the report format: relation sentences and cell names come from it
    explains: list[str] = field(default_factory=list)  # instances of other findings this one is the cause of
    key: str = ""  # the catalogue entry when it is not the code (R0.<kind>)

    def __post_init__(self):
        self.rule = self.rule or self.code
        self.instance = self.instance or self.code

    @property
    def is_error(self) -> bool:
        return self.severity == "error" and self.status in ("fail", "indeterminate")

    @property
    def message(self) -> str:
        """The Chinese sentence (the library's default language); edges call ``text(lang)``."""
        return self.text("zh")

    def text(self, lang: str = "zh") -> str:
        from .messages.findings import finding_text
        return finding_text(self, lang)

    def where(self) -> list[str]:
        """Addresses worth looking at: the suspects' when known, else the cells involved."""
        cells = [s.address for s in self.suspects if s.address] or [self.addresses[c] for c in self.cells if c in self.addresses]
        return list(dict.fromkeys(cells))

    def to_dict(self, lang: str = "zh") -> dict:
        d = {"code": self.code, "rule": self.rule, "instance": self.instance, "severity": self.severity,
             "status": self.status, "cells": list(self.cells), "params": _jsonable(self.params),
             "lhs": _num(self.lhs), "rhs": _num(self.rhs), "imbalance": _num(self.imbalance),
             "message": self.text(lang), "suspects": [s.to_dict(lang) for s in self.suspects]}
        if self.addresses:
            d["addresses"] = dict(self.addresses)
        if self.values:
            d["values"] = {k: _num(v) if not isinstance(v, str) else v for k, v in self.values.items()}
        if self.explains:
            d["explains"] = list(self.explains)
        return d


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        return _num(v)
    return v


def _num(v):
    """JSON form of a number: int when whole, exact decimal string otherwise."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, Decimal) and v == v.to_integral_value():
        return int(v)
    return format_number(v)


def status_of(findings: list[Finding]) -> str:
    """ok | errors | warnings for a list of findings."""
    if any(f.is_error for f in findings):
        return "errors"
    if any(f.severity == "warning" and f.status == "fail" for f in findings):
        return "warnings"
    return "ok"
