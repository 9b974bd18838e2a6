"""The one place the workbench calls the library's check (the same pipeline as ``gxnb check``).

Everything the web app needs from a check goes through ``check_path`` (and ``annotated``), so
moving to the project's single check door is a change here only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path


@dataclass
class Checked:
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


def _load(path, previous):
    """(loaded, zh result, en result, previous loaded) with the library's reader and checker."""
    from ..checking import check_loaded
    from ..inputs import read_input
    loaded = read_input(path, lang="zh")
    prev = None
    if previous is not None:
        try:
            prev = read_input(previous, lang="zh")
        except Exception:  # noqa: BLE001 - last year's file is unusable: no cross-year check
            prev = None
    return loaded, check_loaded(loaded, previous=prev, lang="zh"), check_loaded(loaded, previous=prev, lang="en")


def check_path(path: str | Path, previous: str | Path | None = None) -> Checked:
    """Read and check one stored file (``previous``: last year's file of the same unit). Never raises."""
    from ..engine import compute_derived
    from ..report import ReportError
    try:
        loaded, zh, en = _load(path, previous)
    except ReportError as exc:
        return Checked("unreadable", message_zh=exc.message("zh"), message_en=exc.message("en"))
    except Exception as exc:  # noqa: BLE001 - a file that crashes a reader is this file's problem only
        return Checked("unreadable", message_zh=f"读取时出错（{type(exc).__name__}: {exc}）",
                       message_en=f"failed to read ({type(exc).__name__}: {exc})")
    rep = loaded.report
    en_by_instance = {(f.rule, f.instance, tuple(f.cells)): f.message for f in en.findings}
    findings = []
    for f in zh.findings:
        if f.status == "indeterminate" and f.rule != "R0":
            continue  # a relation over blank cells: the blank cells are the findings
        findings.append({
            "rule": f.rule, "instance": f.instance, "code": f.code or "", "severity": f.severity,
            "status": f.status, "cells": list(f.cells), "message_zh": f.message,
            "message_en": en_by_instance.get((f.rule, f.instance, tuple(f.cells)), f.message),
            "detail": {"addresses": dict(f.addresses), "suspects": [s.to_dict() for s in f.suspects],
                       "imbalance": _num(f.imbalance)},
        })
    values = compute_derived(rep.spec, rep.values) if loaded.computed else dict(rep.values)
    unit = rep.unit.strip() if isinstance(rep.unit, str) and rep.unit.strip() else None
    return Checked(zh.status, {"unit": unit, "year": rep.year, "format": rep.format, "level": rep.level},
                   findings, {k: _num(v) for k, v in values.items()})


def annotated(path: str | Path, previous: str | Path | None = None, lang: str = "zh") -> bytes | None:
    """The annotated workbook (failing cells commented, a 审核报告 sheet) as bytes; None if unreadable."""
    from ..annotate import annotations_of, review_rows
    from ..excel.template import build_workbook_bytes
    from ..report import ReportError
    try:
        loaded, zh, en = _load(path, previous)
    except ReportError:
        return None
    result = en if lang == "en" else zh
    return build_workbook_bytes(result.report.format, result.report, annotations=annotations_of(result),
                                review_rows=review_rows(result, lang))


def _num(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else str(v)
    return v
