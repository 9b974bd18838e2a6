"""What an import says about each cell and about the whole file (read / derived / missing)."""
from __future__ import annotations

from decimal import Decimal

from ..record import field, record
from ..report import Report
from ..values import format_number


@record
class CellStatus:
    """How one cell was obtained: ``read`` from the text, ``derived`` with a reason, or ``missing``."""

    status: str
    value: int | Decimal | None = None
    raw: str | None = None
    reason_zh: str = ""
    reason_en: str = ""
    candidates: list = field(default_factory=list)

    def to_dict(self) -> dict:
        d: dict = {"status": self.status}
        if self.value is not None:
            d["value"] = _jnum(self.value)
        if self.raw is not None:
            d["raw"] = self.raw
        if self.reason_zh:
            d["reason"] = self.reason_zh
            d["reason_en"] = self.reason_en
        if self.candidates:
            d["candidates"] = [_jnum(c) for c in self.candidates]
        return d


@record
class ImportWarning:
    """Something the importer wants a person to look at, in both languages."""

    zh: str
    en: str
    cells: tuple[str, ...] = ()

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def to_dict(self) -> dict:
        d = {"message": self.zh, "message_en": self.en}
        if self.cells:
            d["cells"] = list(self.cells)
        return d


@record
class ImportResult:
    """An imported report with how each cell was read, the warnings and each table's confidence."""

    report: Report
    cell_status: dict[str, CellStatus]
    warnings: list[ImportWarning]
    confidence: dict[str, dict]
    file: str = ""
    kind: str = "text"
    detected: dict = field(default_factory=dict)  # how format/year/unit were found

    @property
    def missing(self) -> list[str]:
        return [c for c, s in self.cell_status.items() if s.status == "missing"]

    def source_record(self) -> dict:
        return {"file": self.file, "kind": self.kind, "detected": self.detected,
                "confidence": self.confidence,
                "warnings": [w.to_dict() for w in self.warnings],
                "cells": {c: s.to_dict() for c, s in self.cell_status.items()}}


def _jnum(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else format_number(v)
    return v


# ── the document ────────────────────────────────────────────────────────────────────────
