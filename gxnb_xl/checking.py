"""Checking files: read each input, check it, never stop at a bad one."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .engine import CheckResult, check_report
from .inputs import Loaded, read_input
from .report import ReportError


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
    result = check_report(loaded.report, previous=previous.report if previous else None, lang=lang,
                          computed=loaded.computed, addresses=loaded.addresses)
    result.findings[:0] = loaded.notes
    try:
        from .text_rules import check_text
    except ImportError:  # pragma: no cover
        return result
    result.findings += check_text(loaded.report, previous=previous.report if previous else None, lang=lang,
                                  addresses=loaded.addresses)
    return result


def check_file(path, *, previous: Loaded | None = None, lang: str = "zh") -> FileResult:
    name = str(path)
    try:
        loaded = read_input(path, lang=lang)
    except ReportError as exc:
        return FileResult(name, "unreadable", error=exc.message(lang))
    result = check_loaded(loaded, previous=previous, lang=lang)
    return FileResult(name, result.status, loaded, result)


def check_files(files, *, previous=None, lang: str = "zh") -> list[FileResult]:
    prev_loaded = None
    results = []
    if previous:
        try:
            prev_loaded = read_input(previous, lang=lang)
        except ReportError as exc:
            results.append(FileResult(str(previous), "unreadable",
                                      error=("上年度报告" if lang != "en" else "previous report: ") + exc.message(lang)))
    for f in _expand(files):
        results.append(check_file(f, previous=prev_loaded, lang=lang))
    return results


def _expand(files):
    for f in files:
        p = Path(f)
        if p.is_dir():
            inside = sorted(str(x) for x in p.rglob("*") if x.is_file())
            # an empty folder is still reported: every input appears in every summary
            yield from inside or [str(p)]
        else:
            yield f
