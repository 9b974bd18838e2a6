"""The one place the workbench calls the library's check (the same pipeline as ``gxnb check``).

Everything the web app needs from a check goes through ``check_path`` (and ``annotated``): the
project's single check door ``gxnb_xl.check.check``, with findings rendered in both languages
from the message catalogue so the pages can show either.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ..record import field, record


@record
class Checked:
    """A check's outcome as the workbench stores it."""

    status: str  # ok | warnings | errors | unreadable
    report: dict = field(default_factory=dict)  # unit, year, format, level
    findings: list[dict] = field(default_factory=list)  # rows for Store.add_submissions
    values: dict | None = None  # effective values (totals recomputed), JSON-ready
    message_zh: str = ""  # why unreadable
    message_en: str = ""

    @property
    def errors(self) -> int:
        return sum(f["severity"] == "error" and f["status"] in ("fail", "indeterminate") for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f["severity"] == "warning" and f["status"] == "fail" for f in self.findings)


def _check(path, previous):
    """The project's single check door; last year's file, when unusable, is simply not compared."""
    from ..check import check, load
    last = None
    if previous is not None:
        try:
            last = load(previous)
        except Exception:  # noqa: BLE001 - last year's file is unusable: no cross-year check
            last = None
    return check(path, previous=last)  # published reports (Word, PDF, web page, text) too: the door imports them


def check_path(path: str | Path, previous: str | Path | None = None) -> Checked:
    """Read and check one stored file (``previous``: last year's file of the same unit). Never raises."""
    from ..errors import ReportError
    try:
        result = _check(path, previous)
    except ReportError as exc:
        return Checked("unreadable", message_zh=exc.message("zh"), message_en=exc.message("en"))
    except Exception as exc:  # noqa: BLE001 - a file that crashes a reader is this file's problem only
        return Checked("unreadable", message_zh=f"读取时出错（{type(exc).__name__}: {exc}）",
                       message_en=f"failed to read ({type(exc).__name__}: {exc})")
    rep = result.report  # effective values: a workbook's totals recomputed from its inputs
    findings = [{
        "rule": f.rule, "instance": f.instance, "code": f.code or "", "severity": f.severity,
        "status": f.status, "cells": list(f.cells), "message_zh": f.text("zh"), "message_en": f.text("en"),
        "detail": {"addresses": dict(f.addresses), "suspects": [s.to_dict("zh") for s in f.suspects],
                   "imbalance": _num(f.imbalance)},
    } for f in result.shown]  # relations over blank cells are left out: each blank cell is a finding
    unit = rep.unit.strip() if isinstance(rep.unit, str) and rep.unit.strip() else None
    return Checked(result.status, {"unit": unit, "year": rep.year, "format": rep.format, "level": rep.level},
                   findings, {k: _num(v) for k, v in rep.values.items()})


def annotated(path: str | Path, previous: str | Path | None = None, lang: str = "zh") -> bytes | None:
    """The annotated workbook (failing cells commented, a 审核报告 sheet) as bytes; None if unreadable."""
    from ..annotate import annotations_of, review_rows
    from ..errors import ReportError
    from ..excel.template import build_workbook_bytes
    try:
        result = _check(path, previous)
    except ReportError:
        return None
    return build_workbook_bytes(result.report.format, result.report, annotations=annotations_of(result, lang),
                                review_rows=review_rows(result, lang))


def _num(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else str(v)
    return v
