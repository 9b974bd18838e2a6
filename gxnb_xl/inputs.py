"""Open any input a user hands us — report JSON or a filled workbook — as a ``Loaded``.

Unusable files raise ReportError (bilingual); content problems travel as ``report.problems`` and
``Loaded.notes``. The values returned are effective (totals recomputed from inputs; see loaded.py).
"""
from __future__ import annotations

from pathlib import Path

from .errors import NotTemplate, ReportError
from .loaded import Loaded, make_effective
from .report import load_report

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
# published reports, read by the importer (gxnb_xl.importer): web pages, Word, PDF, text
IMPORT_SUFFIXES = (".pdf", ".doc", ".docx", ".html", ".htm", ".txt", ".wps", ".rtf")


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
        try:
            loaded = read_workbook(p)
            if not loaded.template.get("template_id"):
                # [importer hook] no _gxnb marker: not (or no longer) our template; the label
                # reader decides when the two readings disagree (see importer/loaded.py)
                from .importer.loaded import prefer
                loaded = prefer(loaded, p)
            return make_effective(loaded)
        except NotTemplate as exc:
            # not our template and no template sheet: find the tables by label; when no table is
            # found that way either, the template reader's refusal stands
            from .importer.loaded import load
            try:
                return make_effective(load(p, workbook=True))
            except ReportError:
                raise exc from None
    if suffix == ".json":
        return make_effective(Loaded(load_report(p), p, "json"))
    if suffix in IMPORT_SUFFIXES:  # [importer hook] published reports: web pages, Word, PDF, text
        from .importer.loaded import load
        return make_effective(load(p))
    if not p.exists():
        raise ReportError(f"{name}：文件不存在", f"{name}: no such file")
    raise ReportError(f"{name}：不支持的文件类型“{suffix or '无扩展名'}”（可用 .xlsx .xls .ods .json，"
                      f"已发布的报告 .pdf .docx .doc .html .txt）",
                      f"{name}: unsupported file type {suffix or '(none)'!r} (use .xlsx .xls .ods .json, "
                      f"or a published report .pdf .docx .doc .html .txt)")
