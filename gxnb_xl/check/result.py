"""What checking one source gives: the effective report, its findings, and where it came from."""
from __future__ import annotations

from ..findings import Finding, status_of
from ..loaded import Loaded
from ..record import field, record
from ..report import Report


@record
class CheckResult:
    """What checking one source gives: the effective report, its findings, where it came from."""

    report: Report  # effective values: totals recomputed from inputs for template workbooks
    findings: list[Finding] = field(default_factory=list)
    loaded: Loaded | None = None

    @property
    def status(self) -> str:
        return status_of(self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning" and f.status == "fail"]

    @property
    def shown(self) -> list[Finding]:
        """What a person is shown: every finding but relations left uncheckable by blank cells
        (each blank cell already has its own finding)."""
        return [f for f in self.findings if not (f.status == "indeterminate" and f.rule != "R0")]

    @property
    def unchecked(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "indeterminate" and f.rule != "R0"]

    def to_dict(self, lang: str = "zh") -> dict:
        rep = self.report
        d = {"format": rep.format, "unit": rep.unit, "year": rep.year, "level": rep.level, "status": self.status}
        if self.loaded is not None and self.loaded.kind == "workbook":
            d["template"] = self.loaded.template
        findings = [f.to_dict(lang) for f in self.findings]
        d["input_problems"] = [f for f in findings if f["rule"] == "R0"]
        d["findings"] = findings
        return d


@record
class FileResult:
    """One input of a batch: its check result, or why it could not be used."""

    file: str
    status: str  # ok | errors | warnings | unreadable
    result: CheckResult | None = None
    error: object = None  # the ReportError (bilingual) when unreadable

    @property
    def loaded(self) -> Loaded | None:
        return self.result.loaded if self.result is not None else None

    def error_text(self, lang: str = "zh") -> str:
        if self.error is None:
            return ""
        return self.error.message(lang) if hasattr(self.error, "message") else str(self.error)

    def to_dict(self, lang: str = "zh") -> dict:
        d = {"file": self.file, "status": self.status}
        if self.result is None:
            d.update(format=None, unit=None, year=None, findings=[], error=self.error_text(lang))
            return d
        body = self.result.to_dict(lang)
        body.pop("status")
        d.update(body)
        return d
