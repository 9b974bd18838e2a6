"""The check pipeline: load once, then every check in a fixed order, findings as data."""
from __future__ import annotations

from pathlib import Path

from ..engine import cell_problem_findings, relation_findings
from ..errors import ReportError
from ..findings import Finding
from ..inputs import read_input
from ..loaded import Loaded, from_report, make_effective
from ..report import Report
from ..text_rules import check_text
from .previous import comparable_previous, match_previous, previous_findings
from .result import CheckResult, FileResult
from .stored import stored_total_findings


def load(source) -> Loaded:
    """Any source as a ``Loaded`` with effective values (ReportError when it cannot be used)."""
    if isinstance(source, Loaded):
        return make_effective(source)
    if isinstance(source, Report):
        return from_report(source)
    return read_input(source)


def check(source, previous=None) -> CheckResult:
    """Check one report; ``previous`` (any source, or None) is last year's report of the same unit."""
    loaded = load(source)
    last = load(previous) if previous is not None else None
    report = loaded.report
    last_report = comparable_previous(report, last)
    cells = cell_problem_findings(report, loaded.addresses)
    findings: list[Finding] = list(loaded.notes) + cover_findings(report) + previous_findings(report, last)
    findings += cells + stored_total_findings(loaded, cells)
    findings += relation_findings(report, previous=last_report, computed=loaded.computed, addresses=loaded.addresses)
    findings += check_text(report, previous=last_report, addresses=loaded.addresses)
    for f in findings:
        f.format = f.format or report.format
    return CheckResult(report, findings, loaded)


def cover_findings(report: Report) -> list[Finding]:
    """A report without its unit or year cannot be published, summed or compared."""
    out = []
    if not (report.unit or "").strip():
        out.append(Finding("M1", "error"))
    if report.year is None:
        out.append(Finding("M2", "error"))
    return out


def check_many(files, *, previous=None) -> list[FileResult]:
    """Check every file (folders expanded), never stopping at a bad one. ``previous`` is last year's
    report, or a folder of last year's reports matched to this year's by unit name."""
    results: list[FileResult] = []
    previous_loaded: list[Loaded] = []
    by_unit = False
    if previous:
        prev_path = Path(previous)
        by_unit = prev_path.is_dir()
        candidates = sorted(str(x) for x in prev_path.rglob("*") if x.is_file()) if by_unit else [previous]
        for c in candidates:
            try:
                previous_loaded.append(load(c))
            except ReportError as exc:
                if not by_unit:
                    results.append(FileResult(str(previous), "unreadable", error=_previous_error(exc)))
        if by_unit and not previous_loaded:
            results.append(FileResult(str(previous), "unreadable", error=ReportError(
                "上年度报告文件夹中没有可读取的报告", "the previous-year folder holds no readable report")))
    for f in expand(files):
        results.append(check_file(f, previous=match_previous(f, previous_loaded, by_unit)))
    return results


def check_file(path, previous=None) -> FileResult:
    """``check`` for a batch: an unusable file is a result, not an exception."""
    try:
        loaded = load(path)
        prev = previous(loaded) if callable(previous) else previous
        result = check(loaded, previous=prev)
    except ReportError as exc:
        return FileResult(str(path), "unreadable", error=exc)
    return FileResult(str(path), result.status, result)


def _previous_error(exc: ReportError) -> ReportError:
    return ReportError("上年度报告" + exc.message("zh"), "previous report: " + exc.message("en"))


def expand(files):
    for f in files:
        p = Path(f)
        if p.is_dir():
            inside = sorted(str(x) for x in p.rglob("*") if x.is_file())
            # an empty folder is still reported: every input appears in every summary
            yield from inside or [str(p)]
        else:
            yield f
