"""The result of a run: every file's record, the summed county report, the decisions' notes.

Apart from ``records`` (what ``gxnb check``'s listing also needs) so that checking does not build
this class at start-up.
"""
from __future__ import annotations

from collections import Counter

from ..record import field, record
from ..values import format_number
from .records import STATES, FileRecord
from .words import reason as _reason


@record
class AggregateResult:
    """What a run decided and summed: every file's record, the county report, the notes."""

    files: list[FileRecord]
    report: object | None  # the summed Report (None when nothing could be summed)
    totals: dict  # cell id → value (derived cells recomputed); {} when nothing summed
    missing_units: list[str] = field(default_factory=list)
    unit_states: list[dict] = field(default_factory=list)  # --units: {"unit", "state", "files"}
    unexpected_units: list[str] = field(default_factory=list)  # summed but not on --units list
    duplicates: list[dict] = field(default_factory=list)  # {"unit", "files", "used", "why", "differs"}
    refused: tuple = ()  # (key, params): why nothing was summed
    include_invalid: bool = False
    findings: list = field(default_factory=list)  # check of the summed report (incl. cross-year)
    previous_source: tuple = ()  # (key, params)
    previous_error: tuple = ()  # (key, params)
    blank_cells: int = 0
    unit_note: tuple = ()  # (key, params): how the county's name was chosen
    notes: list = field(default_factory=list)  # (key, params) lines about the run (majority …)
    group: tuple = ()  # (format, year) summed

    @property
    def included(self) -> list[FileRecord]:
        return [f for f in self.files if f.included]

    @property
    def exit_code(self) -> int:
        """0 everything summed; 1 some file not summed or a unit missing; 2 nothing summed, or last
        year's data (``previous``) cannot be used (as ``gxnb check --previous``)."""
        if self.report is None or self.previous_error:
            return 2
        if self.missing_units or any(f.counts_as_excluded for f in self.files):
            return 1
        return 0

    @property
    def cross_year(self) -> list:
        return [f for f in self.findings if f.rule.startswith("X")]

    def text(self, item: tuple, lang: str = "zh") -> str:
        """Render one (catalogue key, params) item of this result; () is nothing."""
        if not item:
            return ""
        return _reason(item[0], item[1] if len(item) > 1 else {}, lang)

    def totals_json(self) -> dict:
        if self.report is None:
            return {}
        spec = self.report.spec
        out = {}
        for cid, v in self.totals.items():
            if v is None:
                out[cid] = None
            elif spec.cells[cid].type == "amount":
                out[cid] = format_number(v)
            else:
                out[cid] = int(v) if v == int(v) else format_number(v)
        return out

    def to_dict(self, lang: str = "zh") -> dict:
        rep = self.report
        states = Counter(f.state for f in self.files)
        return {
            "files": [f.to_dict(lang) for f in self.files],
            "totals": self.totals_json(),
            "missing_units": list(self.missing_units),
            "units": [dict(u) for u in self.unit_states],
            "duplicates": [{**d, "why": self.text(d["why"], lang) if d.get("why") else None,
                            "differs": list(d.get("differs", ()))} for d in self.duplicates],
            "unexpected_units": list(self.unexpected_units),
            "format": rep.format if rep else None,
            "year": rep.year if rep else None,
            "unit": rep.unit if rep else None,
            "included": sum(f.included for f in self.files),
            "states": {s: states[s] for s in STATES},
            "include_invalid": self.include_invalid,
            "refused": self.text(self.refused, lang) or None,
            "notes": [self.text(n, lang) for n in self.notes],
            "unit_note": self.text(self.unit_note, lang) or None,
            "findings": [f.to_dict() for f in self.findings if f.status != "indeterminate"],
            "previous": self.text(self.previous_source, lang) or None,
            "previous_error": self.text(self.previous_error, lang) or None,
        }
