"""What happened to each input: one small record per path (the run's result is in ``result``).

A record keeps the input cells' values of a report that was read (a tuple, ~100 numbers), so the
decisions taken after reading (duplicates, other years, higher levels) never read a file twice
and never subtract. Words are not stored: a record holds a reason key and its parameters, the
writers render them in the reader's language (``words.reason``).
"""
from __future__ import annotations

import os
import re

from .. import lazyre
from ..record import field, record
from .words import reason as _reason
from .words import say as _say

# the one state of each file (agg.state.* in the catalogue)
STATE_SUMMED, STATE_ERRORS, STATE_UNREADABLE = "summed", "errors", "unreadable"
STATE_NOT_REPORT, STATE_DUPLICATE, STATE_EXCLUDED, STATE_IGNORED = "not_report", "duplicate", "excluded", "ignored"
STATES = (STATE_SUMMED, STATE_ERRORS, STATE_UNREADABLE, STATE_NOT_REPORT, STATE_DUPLICATE, STATE_EXCLUDED,
          STATE_IGNORED)
# record kinds of a skipped file
SKIP_LOCK, SKIP_LITTER, SKIP_TYPE, SKIP_OUTPUT, SKIP_SUMMARY = "lock", "litter", "type", "output", "summary"
MAX_FINDINGS = 3  # error findings kept per file (the full list is `gxnb check`'s job)


@record
class FileRecord:
    """What happened to one input path."""

    file: str  # the path as people read it
    status: str  # check status: ok | warnings | errors | unreadable | skipped | pending
    unit: str | None = None
    year: int | None = None
    format: str | None = None
    level: str | None = None
    errors: int = 0
    warnings: int = 0
    findings: tuple = ()  # the first error findings
    included: bool = False
    state: str = ""  # one of STATES once decided
    why: str = ""  # catalogue key of the reason
    params: dict = field(default_factory=dict)
    mtime: float = 0.0
    date: str = ""  # 填报日期 on the cover, as YYYY-MM-DD when it can be read
    saved: str = ""  # when the spreadsheet program last saved it (docProps/core.xml, meta.xml)
    skip: str = ""
    blanks: int = 0
    values: tuple | None = field(default=None, repr=False)  # input cells, in the spec's order
    path: str = ""  # the path to open (may hold undecodable bytes); "" = file
    notes: list = field(default_factory=list)  # (key, params) remarks: identity of the unit …

    def __post_init__(self):
        if not self.path:
            self.path = self.file

    @property
    def readable(self) -> bool:
        return self.status not in ("unreadable", "skipped", "pending")

    @property
    def counts_as_excluded(self) -> bool:
        """A report (or a would-be report) not summed; lock files, litter and this run's own
        outputs are listed but are nobody's missing report."""
        return not self.included and self.state != STATE_IGNORED

    def set(self, state: str, why: str, included: bool = False, **params) -> None:
        self.state, self.why, self.included, self.params = state, why, included, params

    def reason(self, lang: str = "zh") -> str:
        return _reason(self.why, self.params, lang) if self.why else ""

    def messages(self, lang: str = "zh") -> list[str]:
        return [finding_text(f, lang) for f in self.findings]

    def to_dict(self, lang: str = "zh") -> dict:
        return {"file": self.file, "unit": self.unit, "year": self.year, "format": self.format,
                "level": self.level, "status": self.status, "state": self.state,
                "state_text": _say(f"agg.state.{self.state}", lang) if self.state else "",
                "errors": self.errors, "warnings": self.warnings, "included": self.included,
                "reason": self.reason(lang), "reason_code": self.why, "messages": self.messages(lang),
                "date": self.date or None, "saved": self.saved or None}


def printable(text: str) -> str:
    """Text that can always be printed and written (lone surrogates from undecodable file names → �)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def finding_text(f, lang: str = "zh") -> str:
    text = getattr(f, "text", None)
    return text(lang) if callable(text) else f.message


# ── what a workbook says about when it was filled ─────────────────────────────────────────
_DATE = lazyre.compile(r"(\d{4})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")


def parse_date(value) -> str:
    """A cover 填报日期 as YYYY-MM-DD ("" when it cannot be read): 2025年1月15日, 2025-01-15,
    2025.1.15, an Excel date serial (45672) or a datetime."""
    import datetime as dt
    import unicodedata
    if value is None or value == "":
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = _DATE.search(text)
    if m:
        y, mo, d = map(int, m.groups())
        try:
            return dt.date(y, mo, d).isoformat()
        except ValueError:
            return ""
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # an Excel serial date typed into a text field
        n = int(float(text))
        if 36526 <= n <= 73051:  # 2000 … 2099
            return (dt.date(1899, 12, 30) + dt.timedelta(days=n)).isoformat()
    return ""


def saved_stamp(path: str) -> str:
    """When the spreadsheet program last saved the workbook (ISO text, "" when unknown):
    docProps/core.xml dcterms:modified in .xlsx/.xlsm, meta.xml dc:date in .ods."""
    import zipfile

    from ..excel.fastpath import member as zip_member
    core = zip_member(path, "docProps/core.xml")  # the zip as the reader parsed it: the file is read once
    if core is not None and len(core) <= 1024 * 1024:
        m = re.search(r"<dcterms:modified[^>]*>([^<]{10,40})<", core.decode("utf-8", "replace"))
        if m:
            return m.group(1).strip()
    try:
        with zipfile.ZipFile(path) as z:
            for member, pattern in (("docProps/core.xml", r"<dcterms:modified[^>]*>([^<]{10,40})<"),
                                    ("meta.xml", r"<dc:date>([^<]{10,40})<")):
                try:
                    info = z.getinfo(member)
                except KeyError:
                    continue
                if info.file_size > 1024 * 1024:
                    return ""
                m = re.search(pattern, z.read(info).decode("utf-8", "replace"))
                if m:
                    return m.group(1).strip()
    except Exception:  # noqa: BLE001 - not a zip, damaged: no stamp
        return ""
    return ""


# ── reading one file (runs in a worker process) ───────────────────────────────────────────
def read_one(path: str) -> FileRecord:
    """Read and check one file; never raises. The record carries the input cells' values."""
    from ..check import check
    from ..errors import ReportError
    from ..inputs import WORKBOOK_SUFFIXES
    from .files import display, has_summary_sheet
    shown = display(path)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = 0.0
    suffix = os.path.splitext(path)[1].lower()
    if suffix in WORKBOOK_SUFFIXES and has_summary_sheet(path):
        rec = FileRecord(shown, "skipped", path=path, skip=SKIP_SUMMARY, mtime=mtime)
        rec.set("ignored", "agg.why.summary")
        return rec
    try:
        result = check(path)
    except ReportError as exc:
        rec = FileRecord(shown, "unreadable", path=path, mtime=mtime)
        base = os.path.basename(path)
        zh, en = (printable(exc.message(k).replace(base, display(base))) for k in ("zh", "en"))
        rec.set(STATE_UNREADABLE, "agg.why.text", zh=zh, en=en)
        return rec
    except Exception as exc:  # noqa: BLE001 - a file that crashes a reader must not stop the county
        rec = FileRecord(shown, "unreadable", path=path, mtime=mtime)
        rec.set(STATE_UNREADABLE, "agg.why.failed", error=printable(f"{type(exc).__name__}: {exc}"[:300]))
        return rec
    rep = result.report
    spec = rep.spec
    errors = [f for f in result.findings if f.is_error]
    warnings = sum(f.severity == "warning" and f.status != "indeterminate" for f in result.findings)
    values = tuple(map(rep.values.get, spec.input_cells))
    unit = rep.unit.strip() if isinstance(rep.unit, str) and rep.unit.strip() else None
    saved = saved_stamp(path) if suffix in (".xlsx", ".xlsm", ".ods") else ""
    return FileRecord(shown, result.status, unit=unit, year=rep.year, format=rep.format, level=rep.level,
                      errors=len(errors), warnings=warnings, findings=tuple(errors[:MAX_FINDINGS]),
                      mtime=mtime, date=parse_date(rep.extra.get("date")), saved=saved,
                      blanks=values.count(None), values=values, path=path)
