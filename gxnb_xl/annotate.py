"""An annotated copy of a checked report: the same report re-generated through the template,
failing cells highlighted with a comment (message and suggested value), and a 审核报告 sheet
listing every finding. The input file is never touched."""
from __future__ import annotations

from pathlib import Path

from .messages import label
from .values import format_number



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
        where = "、".join(addr(c) for c in cells[:4]) + (f" 等 {len(cells)} 格" if len(cells) > 4 else "")
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
    others = "；".join(f"{addr(s.cell)} → {format_number(s.suggested)}" for s in picks[1:4])
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


def write_annotated(file_result, out_path, lang: str = "zh") -> Path:
    from .excel.template import write_workbook
    from .report import ReportError
    out = Path(out_path)
    source = Path(file_result.file)
    if source.exists() and out.exists() and out.resolve() == source.resolve():
        raise ReportError("批注工作簿不能覆盖输入文件，请换一个文件名", "the annotated workbook must not overwrite the input")
    result = file_result.result
    return write_workbook(out, result.report.format, result.report, annotations=annotations_of(result, lang),
                          review_rows=review_rows(result, lang))
