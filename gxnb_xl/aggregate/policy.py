"""The decisions: which read reports are summed, and for every file the one reason why or why not.

Taken after every file is read, on the records (which keep their values), in this order:

1. unreadable files, lock files, non-report files keep the state the listing or reading gave;
2. a cover without unit or year: not summed (it cannot be told apart from another unit's report);
3. a report whose level is above the inputs' (a county report among townships), or whose unit is
   the county's own (``--unit``): an earlier summary, not summed;
4. one (format, year) group is summed: ``--year``/``--format`` when given, else the one most
   reports share (ties: the newer year); the others are listed with their own reason — one odd
   file never stops the county;
5. reports with errors are not summed (``include_invalid`` sums them and says so);
6. one unit, several files (unit identity: ``units.same_unit``): one copy is used, chosen by what
   the files say — no errors first, then the cover's 填报日期, then the workbook's saved time,
   then the file time; the cells in which the copies differ are listed.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from .. import levels
from ..units import UnitIndex, clean, common_place, place_of, same_unit, unit_key
from .records import (STATE_DUPLICATE, STATE_ERRORS, STATE_EXCLUDED, STATE_SUMMED, STATE_UNREADABLE, FileRecord)


def decide(records: list[FileRecord], *, unit: str | None = None, include_invalid: bool = False,
           year: int | None = None, format_id: str | None = None) -> tuple[tuple | None, list, list]:
    """Decide every record in place; returns ((format, year) summed or None, notes, duplicates)."""
    notes: list = []
    readable = [r for r in records if r.readable and not r.state]  # not decided while reading
    for r in records:
        if not r.readable and not r.state:
            r.set(STATE_UNREADABLE, r.why or "agg.why.text", **(r.params or {"zh": "无法读取", "en": "unreadable"}))
    candidates = []
    for r in readable:
        if not r.unit or r.year is None:
            lack = "both" if not r.unit and r.year is None else "unit" if not r.unit else "year"
            r.set(STATE_EXCLUDED, "agg.why.no_cover", lack_key=(f"agg.lack.{lack}",))
        else:
            candidates.append(r)
    candidates = _exclude_higher_levels(candidates)
    if unit and unit.strip():
        kept = []
        own = unit_key(unit)
        for r in candidates:
            if unit_key(r.unit) == own:
                r.set(STATE_EXCLUDED, "agg.why.own_unit", county=unit.strip())
            else:
                kept.append(r)
        candidates = kept
    group = _choose_group(candidates, year, format_id, notes)
    in_group = []
    for r in candidates:
        if group is None or (r.format, r.year) != group:
            continue
        in_group.append(r)
        if r.status == "errors" and not include_invalid:
            r.set(STATE_ERRORS, "agg.why.errors", n=r.errors)
        elif r.status == "errors":
            r.set(STATE_SUMMED, "agg.why.summed_invalid_blanks" if r.blanks else "agg.why.summed_invalid", True,
                  n=r.errors, blanks=r.blanks)
        elif r.warnings:
            r.set(STATE_SUMMED, "agg.why.summed_warnings", True, n=r.warnings)
        else:
            r.set(STATE_SUMMED, "agg.why.summed", True)
    prefixes = tuple(p for p in (place_of(unit), common_place(r.unit for r in in_group)) if p)
    duplicates = _resolve_duplicates(in_group, prefixes, notes)
    return group, notes, duplicates


def _exclude_higher_levels(candidates: list[FileRecord]) -> list[FileRecord]:
    """Reports above the inputs' level (most likely an earlier summary) are listed, not summed. The
    inputs' level is the rank most reports have (ties: the lower)."""
    ranks = Counter(levels.rank(r.level) for r in candidates if levels.rank(r.level))
    if len(ranks) < 2:
        return candidates
    base = min(ranks, key=lambda k: (-ranks[k], k))
    base_levels = list(dict.fromkeys(r.level for r in candidates if levels.rank(r.level) == base))
    kept = []
    for r in candidates:
        if (levels.rank(r.level) or 0) > base:
            r.set(STATE_EXCLUDED, "agg.why.level_above", level_level=r.level, base_levels=base_levels)
        else:
            kept.append(r)
    return kept


def _choose_group(candidates: list[FileRecord], year, format_id, notes: list) -> tuple | None:
    """The (format, year) to sum; every other candidate gets its own reason."""
    counts = Counter((r.format, r.year) for r in candidates)
    if not counts:
        return None
    if year is not None or format_id is not None:
        fits = [k for k in counts if (year is None or k[1] == year) and (format_id is None or k[0] == format_id)]
        group = max(fits, key=lambda k: (counts[k], k[1], k[0])) if fits else None
        for r in candidates:
            if year is not None and r.year != year:
                r.set(STATE_EXCLUDED, "agg.why.not_year", year=r.year, wanted=year)
            elif format_id is not None and r.format != format_id:
                r.set(STATE_EXCLUDED, "agg.why.not_format", format=r.format, wanted=format_id)
            elif group is not None and (r.format, r.year) != group:  # --year given, formats differ
                r.set(STATE_EXCLUDED, "agg.why.not_format", format=r.format, wanted=group[0])
        if group is not None:
            notes.append(("agg.note.chosen", {"year": group[1], "format": group[0]}))
        return group
    top = max(counts.values())
    best = [k for k, n in counts.items() if n == top]
    group = max(best, key=lambda k: (k[1], k[0]))
    if len(counts) == 1:
        return group
    n_group = counts[group]
    for r in candidates:
        if (r.format, r.year) == group:
            continue
        what = ("both" if r.year != group[1] and r.format != group[0] else "year" if r.year != group[1] else "format")
        r.set(STATE_EXCLUDED, "agg.why.other_group", n=n_group,
              what_key=(f"agg.what.{what}", {"year": r.year, "format": r.format}))
    notes.append(("agg.note.majority", {"year": group[1], "format": group[0], "n": n_group,
                                        "others": sum(counts.values()) - n_group}))
    if len(best) > 1:
        notes.append(("agg.note.majority_tie", {"year": group[1], "format": group[0]}))
    return group


def _resolve_duplicates(records: list[FileRecord], prefixes: tuple, notes: list) -> list[dict]:
    """Group the group's records by unit identity (an index, linear in the number of files); in
    each group of two or more, use one."""
    index = UnitIndex(prefixes)
    for r in records:
        index.add(r.unit, r)
    out = []
    for g in index.by_key.values():
        if len(g) < 2:
            continue
        names = list(dict.fromkeys(r.unit for r in g))
        for other in names[1:]:
            how = same_unit(names[0], other, prefixes)[1]
            notes.append(("agg.note.same_unit", {"a": clean(names[0]), "b": clean(other),
                                                 "how_key": (f"agg.how.{how}",) if how not in ("exact", "") else
                                                 ("agg.how.written differently",)}))
        out.append(_use_one(g))
    return out


def _use_one(copies: list[FileRecord]) -> dict:
    summable = [r for r in copies if r.included]
    pool = summable or copies
    ranked = sorted(pool, key=lambda r: (r.date, r.saved, r.mtime, r.file), reverse=True)
    used = ranked[0]
    why = _why_chosen(used, ranked[1:], len(summable) == 1 and len(copies) > 1)
    differs_all = []
    for r in copies:
        if r is used:
            continue
        diff = differing_cells(used, r)
        differs_all.append({"file": r.file, "cells": diff})
        if r.included or r.state in (STATE_SUMMED, STATE_ERRORS):
            r.set(STATE_DUPLICATE, "agg.why.duplicate", used=Path(used.file).name, unit=clean(used.unit),
                  why_key=why, differs_key=(("agg.note.differs", {"n": len(diff), "cells_cells": (used.format, diff)}) if diff
                                            else ("agg.note.identical", {})))
    if used.included:
        others = [Path(r.file).name for r in copies if r is not used]
        used.notes.append(("agg.why.used_among", {"others": others, "why_key": why}))
    return {"unit": clean(used.unit), "files": [r.file for r in copies], "used": used.file if used.included else None,
            "why": why, "differs": differs_all}


def _why_chosen(used: FileRecord, others: list[FileRecord], only_valid: bool) -> tuple:
    if only_valid:
        return ("agg.pick.no_errors", {})
    if not others:
        return ("agg.pick.same", {})
    nxt = others[0]
    if used.date and used.date != nxt.date:
        return ("agg.pick.date", {"value": used.date})
    if used.saved and used.saved != nxt.saved:
        return ("agg.pick.saved", {"value": used.saved})
    if used.mtime != nxt.mtime:
        return ("agg.pick.mtime", {})
    return ("agg.pick.name", {})


def differing_cells(a: FileRecord, b: FileRecord) -> list[str]:
    """Input cell ids whose values differ between two copies of one unit's report (same format)."""
    if a.values is None or b.values is None or a.format != b.format:
        return []
    from ..spec import load_spec
    cells = load_spec(a.format).input_cells
    return [c for c, x, y in zip(cells, a.values, b.values) if x != y]


def match_expected(records: list[FileRecord], expected: list[str], county: str | None) -> tuple[list, list, list]:
    """Every unit on the list in exactly one state: the state of the file(s) that are its report —
    matched by unit identity on the cover, else (for unreadable and non-report files, which have no
    cover) by the file name containing the unit's name. Returns (unit states, missing, unexpected)."""
    prefixes = tuple(p for p in (place_of(county), common_place(r.unit for r in records if r.unit)) if p)
    rank = {s: i for i, s in enumerate((STATE_SUMMED, STATE_DUPLICATE, STATE_ERRORS, STATE_EXCLUDED,
                                        STATE_UNREADABLE, "not_report"))}
    states, missing, matched = [], [], set()
    index = UnitIndex(prefixes)
    for r in records:
        if r.unit:
            index.add(r.unit, r)
    by_stem = {}
    for r in records:  # unreadable and non-report files have no cover: their file name may name the unit
        if not r.unit and r.state in (STATE_UNREADABLE, "not_report", STATE_EXCLUDED):
            by_stem.setdefault(unit_key(Path(r.file).stem), []).append(r)
    for name in expected:
        hits = index.find(name)
        if not hits:
            key = index.key(name)
            hits = [r for stem, rs in by_stem.items() if key and key in stem for r in rs]
        matched.update(id(r) for r in hits)
        if not hits:
            missing.append(name)
            states.append({"unit": name, "state": "missing", "files": []})
            continue
        best = min(hits, key=lambda r: rank.get(r.state, 99))
        state = STATE_SUMMED if any(r.included for r in hits) else best.state
        states.append({"unit": name, "state": state, "files": [r.file for r in hits]})
    unexpected = sorted({r.unit or Path(r.file).name for r in records if r.included and id(r) not in matched})
    return states, missing, unexpected
