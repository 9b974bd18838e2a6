"""Checking files: read each input, check it, never stop at a bad one."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import dataclasses

from .engine import CheckResult, check_report, compute_derived
from .findings import Finding
from .inputs import Loaded, read_input
from .report import Report, ReportError


@dataclass
class FileResult:
    file: str
    status: str  # ok | errors | warnings | unreadable
    loaded: Loaded | None = None
    result: CheckResult | None = None
    error: str = ""
    extra_findings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        d = {"file": self.file, "status": self.status}
        if self.result is None:
            d.update(format=None, unit=None, year=None, findings=[], error=self.error)
            return d
        rep = self.result.report
        d.update(format=rep.format, unit=rep.unit, year=rep.year, level=rep.level)
        if self.loaded is not None and self.loaded.kind == "workbook":
            d["template"] = self.loaded.template
        d["input_problems"] = [f.to_dict() for f in self.result.findings if f.rule == "R0"]
        d["findings"] = [f.to_dict() for f in self.result.findings]
        return d


def check_loaded(loaded: Loaded, *, previous: Loaded | None = None, lang: str = "zh") -> CheckResult:
    report = loaded.report
    previous_report = _comparable_previous(loaded, previous)
    result = check_report(report, previous=previous_report, lang=lang, computed=loaded.computed,
                          addresses=loaded.addresses)
    result.findings[:0] = loaded.notes + _cover_findings(report, lang) + _previous_findings(loaded, previous, lang)
    from .text_rules import check_text
    result.findings += check_text(report, previous=previous_report, lang=lang, addresses=loaded.addresses)
    return result


def _cover_findings(report: Report, lang: str) -> list[Finding]:
    """A report without its unit or year cannot be published, summed or compared."""
    out = []
    if not (report.unit or "").strip():
        out.append(Finding("M1", "M1", "error", "fail", "未填写机关名称（封面“机关名称”），无法生成报告标题或汇总"
                           if lang != "en" else "the unit name (cover 机关名称) is missing", code="unit_missing"))
    if report.year is None:
        out.append(Finding("M2", "M2", "error", "fail", "未填写报告年度（封面“年度”）"
                           if lang != "en" else "the data year (cover 年度) is missing", code="year_missing"))
    return out


def _comparable_previous(loaded: Loaded, previous: Loaded | None) -> Report | None:
    """Last year's report as the cross-year rules need it: totals recomputed from a workbook's
    inputs (never its stored totals), and only when it really is the year before."""
    if previous is None:
        return None
    this, last = loaded.report, previous.report
    if this.year is not None and last.year is not None and last.year != this.year - 1:
        return None
    if previous.computed:
        last = dataclasses.replace(last, values=compute_derived(last.spec, last.values))
    return last


def _previous_findings(loaded: Loaded, previous: Loaded | None, lang: str) -> list[Finding]:
    if previous is None:
        return []
    this, last = loaded.report, previous.report
    out = []
    if this.year is not None and last.year is not None and last.year != this.year - 1:
        out.append(Finding("P1", "P1", "warning", "fail",
                           f"上年度报告（{previous.path.name}）的年度是 {last.year}，不是 {this.year - 1}，未做跨年度核对"
                           if lang != "en" else f"the previous report ({previous.path.name}) is for {last.year}, not "
                           f"{this.year - 1}; no cross-year check done", code="previous_year"))
    if this.unit and last.unit and not _same_unit(this.unit, last.unit):
        out.append(Finding("P2", "P2", "warning", "fail",
                           f"上年度报告的单位是“{last.unit}”，与本报告“{this.unit}”不同，请确认是否选错了文件"
                           if lang != "en" else f"the previous report is of {last.unit!r}, not {this.unit!r}",
                           code="previous_unit"))
    return out


def _same_unit(a: str, b: str) -> bool:
    a, b = _unit_key(a), _unit_key(b)
    return a in b or b in a


def _unit_key(unit: str) -> str:
    return "".join(unit.split()).removesuffix("人民政府").removesuffix("政府")


def check_file(path, *, previous: Loaded | None = None, lang: str = "zh") -> FileResult:
    name = str(path)
    try:
        loaded = read_input(path, lang=lang)
    except ReportError as exc:
        return FileResult(name, "unreadable", error=exc.message(lang))
    result = check_loaded(loaded, previous=previous, lang=lang)
    return FileResult(name, result.status, loaded, result)


def check_files(files, *, previous=None, lang: str = "zh") -> list[FileResult]:
    """Check every file; ``previous`` is last year's report, or a folder of last year's reports
    matched to this year's by unit name (a county reviewer checks all townships at once)."""
    results = []
    previous_reports: list[Loaded] = []
    if previous:
        prev_path = Path(previous)
        candidates = sorted(str(x) for x in prev_path.rglob("*") if x.is_file()) if prev_path.is_dir() else [previous]
        for c in candidates:
            try:
                previous_reports.append(read_input(c, lang=lang))
            except ReportError as exc:
                if not prev_path.is_dir():
                    results.append(FileResult(str(previous), "unreadable",
                                              error=("上年度报告" if lang != "en" else "previous report: ") + exc.message(lang)))
        if prev_path.is_dir() and not previous_reports:
            results.append(FileResult(str(previous), "unreadable", error=(
                "上年度报告文件夹中没有可读取的报告" if lang != "en" else "the previous-year folder holds no readable report")))
    for f in _expand(files):
        try:
            loaded = read_input(f, lang=lang)
        except ReportError as exc:
            results.append(FileResult(str(f), "unreadable", error=exc.message(lang)))
            continue
        prev = _match_previous(loaded, previous_reports, single=not (previous and Path(previous).is_dir()))
        result = check_loaded(loaded, previous=prev, lang=lang)
        results.append(FileResult(str(f), result.status, loaded, result))
    return results


def _match_previous(loaded: Loaded, previous_reports: list[Loaded], single: bool) -> Loaded | None:
    if single:
        return previous_reports[0] if previous_reports else None
    unit = loaded.report.unit
    if not unit:
        return None
    same = [p for p in previous_reports if p.report.unit and _same_unit(unit, p.report.unit)]
    exact = [p for p in same if _unit_key(p.report.unit) == _unit_key(unit)]
    return (exact or same or [None])[0]


def _expand(files):
    for f in files:
        p = Path(f)
        if p.is_dir():
            inside = sorted(str(x) for x in p.rglob("*") if x.is_file())
            # an empty folder is still reported: every input appears in every summary
            yield from inside or [str(p)]
        else:
            yield f
