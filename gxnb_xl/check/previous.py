"""Last year's report: is it comparable (the year before, totals recomputed), and is it the same unit."""
from __future__ import annotations

from .. import units as _units
from ..findings import Finding
from ..loaded import Loaded
from ..report import Report


def comparable_previous(this: Report, last: Loaded | None) -> Report | None:
    """Last year's report as the cross-year rules need it: only when it really is the year before
    (its values are effective already: a workbook's totals recomputed from its inputs)."""
    if last is None:
        return None
    prev = last.report
    if this.year is not None and prev.year is not None and prev.year != this.year - 1:
        return None
    return prev


def previous_findings(this: Report, last: Loaded | None) -> list[Finding]:
    if last is None:
        return []
    prev = last.report
    out = []
    if this.year is not None and prev.year is not None and prev.year != this.year - 1:
        out.append(Finding("P1", "warning", params={"file": last.name, "last_year": prev.year,
                                                     "expected": this.year - 1}))
    if this.unit and prev.unit and not same_unit(this.unit, prev.unit):
        out.append(Finding("P2", "warning", params={"last_unit": prev.unit, "unit": this.unit}))
    return out


def match_previous(path, previous: list[Loaded], by_unit: bool):
    """The previous report for one input: the only one given, or (a folder) the one of the same unit."""
    if not by_unit:
        return previous[0] if previous else None

    def pick(loaded: Loaded):
        unit = loaded.report.unit
        if not unit:
            return None
        same = [p for p in previous if p.report.unit and same_unit(unit, p.report.unit)]
        exact = [p for p in same if unit_key(p.report.unit) == unit_key(unit)]
        return (exact or same or [None])[0]
    return pick


def same_unit(a: str, b: str) -> bool:
    """One unit identity for the package (units.py): invisible characters, county prefix …"""
    return _units.same_unit(a, b)[0]


unit_key = _units.unit_key
