"""Importing published reports (web pages, Word files, text copied from a page or a PDF).

    from gxnb_xl.importer import import_file
    result = import_file("2023年报.docx")
    result.report          # a Report (format, unit, year, values, narrative)
    result.cell_status     # cell id → CellStatus(status=read|derived|missing, reason, candidates)
    result.warnings        # what a reviewer must look at (never a silent guess)
    result.confidence      # per table: read/derived/missing counts, relations holding, level

The record also travels inside the report JSON under the extra key ``source``.
"""
from __future__ import annotations

from pathlib import Path

from .reader import CellStatus, ImportResult, ImportWarning, read_text
from .sources import SUPPORTED, read_source

__all__ = ["import_file", "import_text", "ImportResult", "CellStatus", "ImportWarning", "SUPPORTED"]


def import_text(text: str, *, file: str = "", format_id: str | None = None, year: int | None = None,
                unit: str | None = None) -> ImportResult:
    """Import a report from its plain text (copied from a web page or extracted from a PDF)."""
    return read_text(text, file=file, kind="text", format_id=format_id, year=year, unit=unit)


def import_file(path, *, format_id: str | None = None, year: int | None = None,
                unit: str | None = None) -> ImportResult:
    """Import a report from a .txt, .html/.htm or .docx file. Raises ReportError when unusable."""
    text, kind = read_source(path)
    return read_text(text, file=Path(path).name, kind=kind, format_id=format_id, year=year, unit=unit)
