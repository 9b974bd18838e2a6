"""Read a Word table back as a grid of (text, gridSpan, vMerge) — merges included, no guessing."""
from __future__ import annotations

from docx.oxml.ns import qn


def table_grid(table) -> dict[tuple[int, int], dict]:
    """(row, grid column) → {text, span, vmerge ('restart'|'continue'|None)} for each w:tc."""
    out = {}
    for r, tr in enumerate(table._tbl.findall(qn("w:tr"))):
        c = 0
        for tc in tr.findall(qn("w:tc")):
            tcpr = tc.find(qn("w:tcPr"))
            span, vmerge = 1, None
            if tcpr is not None:
                gs = tcpr.find(qn("w:gridSpan"))
                if gs is not None:
                    span = int(gs.get(qn("w:val")))
                vm = tcpr.find(qn("w:vMerge"))
                if vm is not None:
                    vmerge = "restart" if vm.get(qn("w:val")) == "restart" else "continue"
            text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
            out[(r, c)] = {"text": text, "span": span, "vmerge": vmerge}
            c += span
    return out
