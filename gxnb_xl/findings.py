"""Findings: problems in the user's data, as records (never exceptions).

One record shape serves the terminal, ``--json``, the annotated workbook and the review sheet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .values import format_number

SEVERITIES = ("error", "warning", "info")


@dataclass
class Suspect:
    """A cell that probably holds the slip, and the value that would satisfy every relation."""

    cell: str
    observed: int | Decimal | None
    suggested: int | Decimal | None
    reason: str  # short machine code: digit_typo, transposition, sign, times_ten, digit_count, total_not_updated, arithmetic
    reason_text: str = ""
    score: float = 0.0
    tied: bool = False  # other cells explain the same imbalance equally well
    together_with: tuple[str, ...] = ()  # for a pair of slips: the other cell
    address: str | None = None

    def to_dict(self) -> dict:
        d = {"cell": self.cell, "observed": _num(self.observed), "suggested": _num(self.suggested),
             "reason": self.reason_text or self.reason, "reason_code": self.reason, "score": self.score,
             "tied": self.tied}
        if self.together_with:
            d["together_with"] = list(self.together_with)
        if self.address:
            d["address"] = self.address
        return d


@dataclass
class Finding:
    rule: str
    instance: str
    severity: str  # error | warning | info
    status: str  # fail | indeterminate | rule_error
    message: str
    cells: list[str] = field(default_factory=list)
    lhs: int | Decimal | None = None
    rhs: int | Decimal | None = None
    imbalance: int | Decimal | None = None
    suspects: list[Suspect] = field(default_factory=list)
    addresses: dict[str, str] = field(default_factory=dict)  # cell id → sheet!A1
    values: dict[str, object] = field(default_factory=dict)  # cell id → value read
    code: str = ""  # finer kind for cell problems (blank, text_number, …)

    @property
    def is_error(self) -> bool:
        return self.severity == "error" and self.status in ("fail", "indeterminate")

    def to_dict(self) -> dict:
        d = {"rule": self.rule, "instance": self.instance, "severity": self.severity, "status": self.status,
             "cells": list(self.cells), "lhs": _num(self.lhs), "rhs": _num(self.rhs),
             "imbalance": _num(self.imbalance), "message": self.message,
             "suspects": [s.to_dict() for s in self.suspects]}
        if self.addresses:
            d["addresses"] = dict(self.addresses)
        if self.values:
            d["values"] = {k: _num(v) if not isinstance(v, str) else v for k, v in self.values.items()}
        if self.code:
            d["code"] = self.code
        return d


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
    if any(f.severity == "warning" for f in findings):
        return "warnings"
    return "ok"
