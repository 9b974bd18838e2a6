"""Feedback a county can forward: annotated copies of checked reports and one 审核意见 workbook.

``write_annotated`` re-generates one checked report through the template, failing cells
highlighted with a comment (message and suggested value), plus a 审核报告 sheet listing every
finding (styled like the 汇总情况 sheet: frozen header, borders, fills, filters, printable).
``annotate_all`` does that for every readable input of a folder check, one copy named after the
unit, and writes ``审核意见.xlsx``: per township what to fix, in the clerk's words, with the cell
and the suggested value. Inputs are never touched; every output is written atomically.
"""
from __future__ import annotations

import re
from pathlib import Path

from .messages import label
from .values import format_number

REVIEW_FILE = "审核意见.xlsx"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\u200b-\u200f\ufeff]')


def review_rows(result, lang: str = "zh") -> list[list[str]]:
    """The findings as rows (header first) — for the 审核报告 sheet and any tabular review."""
    en = lang == "en"
    head = (["severity", "rule", "status", "cells", "message", "suggestion"] if en
            else ["级别", "规则", "状态", "单元格", "说明", "建议"])
    rows = [head]
    from .excel.layout import layout_of
    layout = layout_of(result.report.spec)

    def addr(cell):  # the annotated workbook is the template: point at its cells
        return layout.address(cell) if cell in layout.cells else cell

    for f in result.findings:
        cells = [s.cell for s in f.suspects] or list(f.cells)
        cells = list(dict.fromkeys(cells))
        more = (f" and {len(cells) - 4} more" if en else f" 等 {len(cells)} 格") if len(cells) > 4 else ""
        where = (", " if en else "、").join(addr(c) for c in cells[:4]) + more
        rows.append([label("severity", f.severity, lang), f.instance, label("status", f.status, lang), where,
                     f.text(lang), _suggestion(f, addr, lang)])
    if len(rows) == 1:
        rows.append(["", "", "", "", "no problems found" if en else "未发现问题", ""])
    return rows


def _suggestion(f, addr, lang: str) -> str:
    """The likeliest fix, then other plausible slips — never cells that merely satisfy the equation."""
    if not f.suspects:
        return ""
    plausible = sorted((s for s in f.suspects if s.plausible), key=lambda s: -s.score)
    picks = plausible or ([f.suspects[0]] if not f.suspects[0].tied else [])
    if not picks:
        return ""
    first = f"{addr(picks[0].cell)} → {format_number(picks[0].suggested)}"
    if len(picks) == 1:
        return first
    others = ("; " if lang == "en" else "；").join(f"{addr(s.cell)} → {format_number(s.suggested)}" for s in picks[1:4])
    return (f"most likely {first}; other possibilities: {others}" if lang == "en"
            else f"最可能 {first}；其他可能：{others}")


def annotations_of(result, lang: str = "zh") -> dict:
    """cell id → (message, suggested value or None) for every cell a failing finding points at."""
    notes: dict[str, tuple[str, object]] = {}
    for f in result.findings:
        if f.status != "fail" and f.rule != "R0":
            continue
        targets = [s.cell for s in f.suspects] or list(f.cells)
        for cell in targets:
            if cell not in result.report.spec.cells:
                continue
            suggested = next((s.suggested for s in f.suspects if s.cell == cell), None)
            old = notes.get(cell)
            message = f.text(lang) if old is None else f"{old[0]}\n{f.text(lang)}"
            notes[cell] = (message, suggested if suggested is not None else (old[1] if old else None))
    return notes


def _review_draw(rows: list[list], severity_fill: bool = True):
    """A styled 审核报告 sheet (aggregate.sheet): header frozen, fills by severity."""
    from .aggregate.sheet import Table, draw
    tab = Table()
    tab.add(rows[0], "head")
    for r in rows[1:]:
        sev = str(r[0])
        tab.add(r, "row", "red" if sev in ("错误", "error") else "amber" if sev in ("提示", "warning") else "none")

    def draw_it(wb, ws):
        draw(wb, ws, tab, widths=[8, 16, 10, 22, 70, 30], wrap={3, 4, 5}, main_head=0, filter_end=len(rows) - 1)
    return draw_it


def write_annotated(file_result, out_path, lang: str = "zh") -> Path:
    from .excel.template import write_workbook
    from .report import ReportError
    out = Path(out_path)
    source = Path(file_result.file)
    if source.exists() and out.exists() and out.resolve() == source.resolve():
        raise ReportError("批注工作簿不能覆盖输入文件，请换一个文件名", "the annotated workbook must not overwrite the input")
    result = file_result.result
    rows = review_rows(result, lang)
    return write_workbook(out, result.report.format, result.report, annotations=annotations_of(result, lang),
                          review_rows=rows, review_draw=_review_draw(rows))


def safe_name(text: str, limit: int = 60) -> str:
    """A file name from a unit's name: no path separators, control or invisible characters."""
    name = _UNSAFE.sub("", text or "").strip(" .")
    return name[:limit] or "报告"


def annotate_all(results, outdir, lang: str = "zh", skipped=()) -> tuple[list[Path], Path]:
    """One annotated copy per readable result in ``outdir`` (named after the unit; ``-2``, ``-3``
    when two share a name) and ``审核意见.xlsx`` listing per file what to fix. ``skipped`` are the
    listing's records of entries that were not checked (non-report files …), listed too.
    Returns (copies, review file). Existing files are never overwritten: the caller checks."""
    from .report import ReportError
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise ReportError(f"--annotate 的输出应为文件夹：{out} 是一个文件", f"--annotate needs a folder: {out} is a file")
    used: set[str] = set()
    copy_of: dict[int, str] = {}
    for i, r in enumerate(results):
        if r.result is None:
            continue
        base = safe_name(r.result.report.unit or Path(r.file).stem)
        name, k = f"{base}-审核.xlsx", 2
        while name in used:
            name, k = f"{base}-{k}-审核.xlsx", k + 1
        used.add(name)
        copy_of[i] = name
    existing = [n for n in [*copy_of.values(), REVIEW_FILE] if (out / n).exists()]
    if existing:  # never overwrite: a reviewer's notes in last run's copies would be lost
        raise ReportError(f"{out} 中已有 {'、'.join(existing[:3])} 等 {len(existing)} 个同名文件，未覆盖；请换一个空文件夹",
                          f"{out} already holds {', '.join(existing[:3])} ({len(existing)} files); nothing overwritten; use an empty folder")
    out.mkdir(parents=True, exist_ok=True)
    written = [write_annotated(results[i], out / name, lang) for i, name in copy_of.items()]
    review = out / REVIEW_FILE
    _write_review(results, skipped, copy_of, review, lang)
    return written, review


def _write_review(results, skipped, copy_of: dict, path: Path, lang: str) -> None:
    import io

    import xlsxwriter

    from .aggregate.sheet import Table, draw
    from .aggregate.words import say
    from .excel.layout import layout_of
    from .report import write_bytes_atomic
    tab = Table()
    tab.add([say("review.title", lang, n=len(results) + len(skipped), parts=summary_parts(results, skipped, lang))], "title")
    tab.add([], "blank")
    head = len(tab.rows)
    tab.add([say(f"review.{k}", lang) for k in ("n", "unit", "file", "state", "where", "what", "suggest", "copy")], "head")
    n = 0
    for i, r in enumerate(results):
        n += 1
        if r.result is None:
            tab.add([n, "", Path(r.file).name, _verdict("unreadable", lang),
                     "", say("review.unreadable_fix", lang, why=r.error.message(lang) if hasattr(r.error, "message") else r.error), "", ""], "row", "red")
            continue
        rep = r.result.report
        layout = layout_of(rep.spec)
        shown = [f for f in r.result.findings if f.status == "fail" or (f.rule == "R0" and f.is_error)]
        state = _verdict(r.status, lang)
        fill = "red" if r.status == "errors" else "amber" if r.status == "warnings" else "none"
        if not shown:
            tab.add([n, rep.unit or "", Path(r.file).name, state, "", say("review.ok", lang), "", copy_of.get(i, "")],
                    "row", fill)
            continue
        for j, f in enumerate(shown):
            cells = [s.cell for s in f.suspects] or list(f.cells)
            where = (", " if lang == "en" else "、").join(dict.fromkeys(layout.address(c) for c in cells[:4] if c in layout.cells))
            suggest = ("; " if lang == "en" else "；").join(say("review.suggest_value", lang, address=layout.address(s.cell),
                                   value=format_number(s.suggested)) for s in f.suspects[:3] if s.cell in layout.cells)
            tab.add([n if j == 0 else "", rep.unit or "" if j == 0 else "", Path(r.file).name if j == 0 else "",
                     state if j == 0 else "", where, f.text(lang), suggest, copy_of.get(i, "") if j == 0 else ""],
                    "row", "red" if f.severity == "error" else "amber")
    for s in skipped:
        n += 1
        tab.add([n, "", Path(s.file).name, say(f"agg.state.{s.state}", lang), "",
                 say("review.not_report_fix", lang) if s.state == "not_report" else s.reason(lang), "", ""],
                "row", "red" if s.state in ("not_report", "unreadable") else "none")
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    ws = wb.add_worksheet(say("review.sheet", lang))
    draw(wb, ws, tab, widths=[6, 24, 26, 12, 16, 70, 26, 26], wrap={1, 2, 4, 5, 6, 7}, main_head=head,
         filter_end=len(tab.rows) - 1)
    wb.close()
    write_bytes_atomic(path, buf.getvalue())


def _verdict(status: str, lang: str) -> str:
    from .aggregate.words import t
    return {"ok": t(lang, "通过", "passed"), "warnings": t(lang, "有提示", "warnings"),
            "errors": t(lang, "有错误", "errors"), "unreadable": t(lang, "无法读取", "unreadable")}.get(status, status)


def summary_parts(results, skipped, lang: str) -> str:
    """"9 份通过，4 份有错误，1 份无法读取，1 份非报告文件" — the counts of a multi-file check."""
    from .aggregate.words import say
    counts = {"ok": 0, "warnings": 0, "errors": 0, "unreadable": 0, "not_report": 0, "ignored": 0}
    for r in results:
        counts[r.status if r.status in counts else "unreadable"] += 1
    for s in skipped:
        counts["not_report" if s.state == "not_report" else "unreadable" if s.state == "unreadable" else "ignored"] += 1
    sep = ", " if lang == "en" else "，"
    return sep.join(say(f"review.count.{k}", lang, n=v) for k, v in counts.items() if v)


def summary_line(results, skipped, lang: str) -> str:
    from .aggregate.words import say
    return say("review.summary", lang, n=len(results) + len(skipped), parts=summary_parts(results, skipped, lang))
