"""The 汇总情况 sheet and the county workbook: where the words of a run are chosen (``lang``).

``summary_table(result, lang)`` builds the sheet as a ``sheet.Table`` (rows + kinds): a heading
block, one row per input file in its one state, then the expected units (``--units``), the
duplicates (which copy is used, why, which cells differ), units summed but not on the list, last
year's data and the check of the summed report. ``write_output`` writes the official template
filled with the sums plus that sheet (or a report JSON), atomically.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..report import Report
from .files import SUMMARY_SHEET
from .records import (STATE_DUPLICATE, STATE_ERRORS, STATE_EXCLUDED, STATE_IGNORED, STATE_NOT_REPORT,
                      STATE_SUMMED, STATE_UNREADABLE, STATES, FileRecord)
from .result import AggregateResult
from .sheet import Table, draw
from .words import reason, say

FILE_COLUMNS = ("n", "file", "unit", "year", "format", "status", "errors", "warnings", "included", "reason", "problems")
WIDTHS = [6, 28, 18, 6, 6, 12, 6, 6, 6, 36, 44]  # about 180 characters: landscape A4 at ~75 %
WRAP = {1, 2, 5, 9, 10}


def fill_of(state: str, warnings: int = 0) -> str:
    """The colour of a state: red (errors, unreadable, not a report), amber (warnings, not summed
    for another reason, duplicate), grey (not sent), none (summed, skipped)."""
    if state in (STATE_ERRORS, STATE_UNREADABLE, STATE_NOT_REPORT):
        return "red"
    if state in (STATE_EXCLUDED, STATE_DUPLICATE) or (state == STATE_SUMMED and warnings):
        return "amber"
    if state == "missing":
        return "grey"
    return "none"


def file_reason(f: FileRecord, lang: str) -> str:
    text = f.reason(lang)
    extra = [f.text_note(n, lang) for n in f.notes] if hasattr(f, "text_note") else []
    if not extra:
        if not f.notes:
            return text
        extra = [reason(k, p, lang) for k, p in f.notes]
    return "；".join([text, *extra]) if lang != "en" else "; ".join([text, *extra])


def summary_table(result: AggregateResult, lang: str = "zh") -> tuple[Table, int, int]:
    """(table, index of the file table's header, index of its last row)."""
    tab = Table()
    rep = result.report
    files = result.files
    tab.add([say("agg.sheet.title", lang)], "title")
    if rep is not None:
        tab.add(["", say("agg.sheet.unit", lang), rep.unit or say("agg.sheet.unit_unset", lang),
                 say("agg.sheet.year", lang), rep.year, say("agg.sheet.format", lang), rep.format], "note")
    n_read = sum(f.readable for f in files)
    tab.add(["", say("agg.sheet.counts", lang, files=len(files), read=n_read, summed=len(result.included),
                     unreadable=sum(f.state == STATE_UNREADABLE for f in files),
                     skipped=sum(f.state in (STATE_IGNORED, STATE_NOT_REPORT) for f in files))], "note")
    parts = [f"{say(f'agg.state.{s}', lang)} {n}" for s in STATES if (n := sum(f.state == s for f in files))]
    if result.missing_units:
        parts.append(f"{say('agg.state.missing', lang)} {len(result.missing_units)}")
    tab.add(["", say("agg.sheet.states", lang, parts=("，" if lang != "en" else ", ").join(parts))], "note")
    if result.refused:
        tab.add(["", say("agg.sheet.refused", lang, why=result.text(result.refused, lang))], "note")
    for n in result.notes:
        tab.add(["", result.text(n, lang)], "note")
    if result.include_invalid:
        tab.add(["", say("agg.note.invalid", lang)], "note")
    if result.blank_cells:
        tab.add(["", say("agg.note.blanks", lang, n=result.blank_cells)], "note")
    if result.unit_note and result.unit_note[0] != "agg.note.unit_given":
        tab.add(["", result.text(result.unit_note, lang)], "note")
    tab.add([], "blank")
    head = len(tab.rows)
    tab.add([say(f"agg.sheet.{'unit_col' if c == 'unit' else c}", lang) for c in FILE_COLUMNS], "head")
    sep = "；" if lang != "en" else "; "
    yes_no = {True: say("agg.yes", lang), False: say("agg.no", lang)}
    state_words = {s: say(f"agg.state.{s}", lang) for s in {f.state for f in files} if s}
    for i, f in enumerate(files, 1):
        tab.add([i, f.file, f.unit or "", f.year if f.year is not None else "", f.format or "",
                 state_words[f.state] if f.state else f.status, f.errors, f.warnings,
                 yes_no[bool(f.included)], file_reason(f, lang), sep.join(f.messages(lang)) if f.findings else ""],
                "row", fill_of(f.state, f.warnings))
    last = len(tab.rows) - 1
    # the sub-tables keep the file table's columns: 文件 (B), 单位 (C), 状态 (F), 原因 (J), 主要问题 (K)
    unit_states = result.unit_states or [{"unit": u, "state": "missing", "files": []} for u in result.missing_units]
    if unit_states:
        tab.add([], "blank")
        tab.add(["", say("agg.sheet.units", lang, n=len(unit_states))], "section")
        tab.add(_cols(lang, n="agg.sheet.n", file="agg.sheet.unit_files", unit="agg.sheet.unit_col",
                      status="agg.sheet.unit_state"), "head")
        for i, u in enumerate(unit_states, 1):
            tab.add(_row(n=i, file="\n".join(Path(x).name for x in u["files"][:10]) + ("\n…" if len(u["files"]) > 10 else ""),
                         unit=u["unit"], status=say(f"agg.state.{u['state']}", lang)), "row", fill_of(u["state"]))
    if result.duplicates:
        tab.add([], "blank")
        tab.add(["", say("agg.sheet.duplicates", lang, n=len(result.duplicates))], "section")
        tab.add(_cols(lang, n="agg.sheet.n", file="agg.sheet.unit_files", unit="agg.sheet.unit_col",
                      reason="agg.sheet.why_used", problems="agg.sheet.differs"), "head")
        for i, d in enumerate(result.duplicates, 1):
            used = Path(d["used"]).name if d["used"] else "—"
            colon = ": " if lang == "en" else "："
            diffs = [f"{Path(x['file']).name}{colon}{_differs(x, rep, lang)}" for x in d["differs"]]
            tab.add(_row(n=i, file="\n".join(Path(x).name for x in d["files"][:10]), unit=d["unit"],
                         reason=f"{say('agg.sheet.used', lang)} {used}{colon}{result.text(d['why'], lang)}",
                         problems="\n".join(diffs[:10])), "row")
    if result.unexpected_units:
        tab.add([], "blank")
        tab.add(["", say("agg.sheet.unexpected", lang)], "section")
        for u in result.unexpected_units:
            tab.add(["", u], "row")
    if rep is not None:
        tab.add([], "blank")
        if result.previous_source or result.previous_error:
            what = result.text(result.previous_error or result.previous_source, lang)
            tab.add(["", say("agg.sheet.previous", lang, what=what)], "note")
        checked = [f for f in result.findings if f.status != "indeterminate"]
        if checked:
            from .records import finding_text
            tab.add(["", say("agg.sheet.checks", lang)], "section")
            for f in checked:
                sev = f.severity if lang == "en" else {"error": "错误", "warning": "提示"}.get(f.severity, f.severity)
                tab.add(["", sev, f.instance, finding_text(f, lang)], "row", "red" if f.severity == "error" else "amber")
        else:
            tab.add(["", say("agg.sheet.all_hold", lang)], "note")
    return tab, head, last


def _row(**cells) -> list:
    """A row of the file table's shape with only the named columns filled."""
    return [cells.get(c, "") for c in FILE_COLUMNS]


def _cols(lang: str, **keys) -> list:
    return [say(keys[c], lang) if c in keys else "" for c in FILE_COLUMNS]


def _differs(entry: dict, rep: Report | None, lang: str) -> str:
    cells = entry["cells"]
    if not cells:
        return say("agg.note.identical", lang)
    fmt = rep.format if rep is not None else "2021"
    return reason("agg.note.differs", {"n": len(cells), "cells_cells": (fmt, cells)}, lang)


def summary_rows(result: AggregateResult, lang: str = "zh") -> list[list]:
    """The 汇总情况 sheet as rows of plain values (every row the same width)."""
    return summary_table(result, lang)[0].padded()


def write_output(result: AggregateResult, path: str | os.PathLike, lang: str = "zh") -> None:
    """Write the summed report: ``.json`` → report JSON (with the summary under ``aggregate``);
    anything else → the official template filled with the sums plus the 汇总情况 sheet.
    Always through a temporary file and a rename."""
    from ..report import ReportError
    if result.report is None:
        raise ReportError(result.text(result.refused, "zh") or "没有可以汇总的报告", result.text(result.refused, "en") or "nothing to write")
    path = Path(path)
    rep = result.report
    if path.suffix.lower() == ".json":
        summary = result.to_dict(lang)
        summary.pop("totals", None)
        extra = dict(rep.extra)
        extra["aggregate"] = summary
        Report(rep.format, rep.unit, rep.year, rep.level, rep.values, rep.narrative, extra).save(path)
        return
    from ..excel.template import write_workbook
    table, head, last = summary_table(result, lang)

    def draw_summary(wb, ws):
        draw(wb, ws, table, widths=WIDTHS, wrap=WRAP, main_head=head, filter_end=last)

    write_workbook(path, rep.format, rep, unit=rep.unit, year=rep.year, level=rep.level,
                   review_rows=table.padded(), review_title=SUMMARY_SHEET, review_draw=draw_summary)
