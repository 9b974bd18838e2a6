"""Open any input a user hands us — report JSON or a filled workbook — as a ``Loaded``.

Unusable files raise ReportError (bilingual); content problems travel as ``report.problems`` and
``Loaded.notes``. The values returned are effective (totals recomputed from inputs; see loaded.py).
"""
from __future__ import annotations

from pathlib import Path

from .errors import ReportError
from .loaded import Loaded, make_effective
from .report import load_report

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")


def read_input(path: str | Path) -> Loaded:
    p = Path(path)
    name = p.name
    if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):
        raise ReportError(f"{name}：这是 Excel/WPS/LibreOffice 打开文件时留下的临时锁文件，不是报告",
                          f"{name}: a lock file left while a workbook is open, not a report")
    if p.is_dir():
        raise ReportError(f"{name}：文件夹中没有可读取的报告文件", f"{name}: the folder holds no report file")
    suffix = p.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        from .excel.reader import read_workbook
        return make_effective(read_workbook(p))
    if suffix == ".json":
        return make_effective(Loaded(load_report(p), p, "json"))
    if not p.exists():
        raise ReportError(f"{name}：文件不存在", f"{name}: no such file")
    raise ReportError(f"{name}：不支持的文件类型“{suffix or '无扩展名'}”（可用 .xlsx .xls .ods .json）",
                      f"{name}: unsupported file type {suffix or '(none)'!r} (use .xlsx .xls .ods .json)")
