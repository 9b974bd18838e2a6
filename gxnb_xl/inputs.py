"""Open any input a user hands us — report JSON or a filled workbook — as a Report.

Returns what was read plus where each cell lives, so findings can name addresses. Unusable
files raise ReportError with a Chinese message; content problems travel as report.problems.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .report import Report, ReportError, load_report

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
# published reports, read by the importer (gxnb_xl.importer): web pages, Word, PDF, text
IMPORT_SUFFIXES = (".pdf", ".doc", ".docx", ".html", ".htm", ".txt", ".wps", ".rtf")


@dataclass
class Loaded:
    report: Report
    path: Path
    kind: str  # json | workbook
    addresses: dict[str, str] = field(default_factory=dict)  # cell id → sheet!A1
    computed: bool = False  # derived cells are formulas: recompute them, never trust stored totals
    template: dict = field(default_factory=dict)  # template id / format / version when a workbook
    notes: list = field(default_factory=list)  # structural remarks (protection removed, …) as findings


def read_input(path: str | Path, lang: str = "zh") -> Loaded:
    p = Path(path)
    name = p.name
    if name.startswith("~$"):
        raise ReportError(f"{name}：这是 Excel/WPS 打开文件时留下的临时锁文件，不是报告",
                          f"{name}: an Excel/WPS lock file left while a workbook is open, not a report")
    if p.is_dir():
        raise ReportError(f"{name}：文件夹中没有可读取的报告文件", f"{name}: the folder holds no report file")
    suffix = p.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        try:
            from .excel.reader import read_workbook
        except ImportError:  # pragma: no cover - the workbook reader ships with the package
            raise ReportError(f"{name}：暂不支持读取工作簿", f"{name}: workbooks are not supported yet") from None
        try:
            return read_workbook(p, lang=lang)
        except ReportError as exc:
            # [importer hook] not our template and no template sheet: find the tables by label;
            # when no table is found that way either, the template reader's refusal stands
            if not any(m in exc.message("zh") for m in ("找不到表二、表三、表四", "找不到模板标识")):
                raise
            from .importer.loaded import load
            try:
                return load(p, lang, workbook=True)
            except ReportError:
                raise exc from None
    if suffix == ".json":
        return Loaded(load_report(p), p, "json")
    if suffix in IMPORT_SUFFIXES:  # [importer hook]
        from .importer.loaded import load
        return load(p, lang)
    if not p.exists():
        raise ReportError(f"{name}：文件不存在", f"{name}: no such file")
    raise ReportError(f"{name}：不支持的文件类型“{suffix or '无扩展名'}”（可用 .xlsx .xls .ods .json，"
                      f"已发布的报告 .pdf .docx .doc .html .txt）",
                      f"{name}: unsupported file type {suffix or '(none)'!r} (use .xlsx .xls .ods .json, "
                      f"or a published report .pdf .docx .doc .html .txt)")
