"""Build .html and .docx sources from a report, with real merged cells (rowspan/colspan, vMerge)."""
from __future__ import annotations

import html
import io

from gxnb_xl.testing.published import table_rows
from gxnb_xl.report import Report


def _t3_grid(report: Report):
    """Table 三 as (rows of (text, rowspan, colspan))."""
    spec = report.spec
    t = spec.tables["t3"]
    cols = t["columns"]
    rows = [[(t["note"], 3, 3), (t.get("column_header", "申请人情况"), 1, 7)],
            [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
            [(c["label"], 1, 1) for c in cols if c.get("group")]]
    body = t["rows"]
    counts: dict = {}
    for r in body:
        for d in range(len(r["labels"]) - 1):
            key = tuple(r["labels"][: d + 1])
            counts[key] = counts.get(key, 0) + 1
    seen = set()
    for r in body:
        cells = []
        labels = r["labels"]
        for d, lab in enumerate(labels):
            key = tuple(labels[: d + 1])
            if d < len(labels) - 1:
                if key in seen:
                    continue
                seen.add(key)
                cells.append((lab, counts[key], 1))
            else:
                cells.append((lab, 1, 3 - d))
        for c in cols:
            v = report.values.get(f"t3.{r['key']}.{c['key']}")
            cells.append(("" if v is None else str(v), 1, 1))
        rows.append(cells)
    return rows


def _t4_grid(report: Report):
    rows = table_rows(report)["t4"]
    parts = rows[1][:5]
    return [[("行政复议", 1, 5), ("行政诉讼", 1, 10)],
            [(p, 2, 1) for p in parts] + [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
            [(p, 1, 1) for p in parts + parts],
            [(v, 1, 1) for v in rows[3]]]


def _t2_grid(report: Report):
    out = []
    for row in table_rows(report)["t2"]:
        if all(not c for c in row[1:]) and row[0].startswith("第二十条"):
            out.append([(row[0], 1, 4)])
        else:
            n = len(row) - 1
            cells = [(row[0], 1, 1)] + [(c, 1, 1) for c in row[1:]]
            if n < 3:
                cells[-1] = (cells[-1][0], 1, 4 - n)
            out.append(cells)
    return out


def _sections(report: Report):
    spec = report.spec
    yield "title", f"{report.unit}{report.year}年政府信息公开工作年度报告"
    if report.narrative.get("preamble"):
        yield "text", report.narrative["preamble"]
    grids = {"t2": _t2_grid, "t3": _t3_grid, "t4": _t4_grid}
    for s in spec.sections:
        if not s.number:
            continue
        yield "heading", s.heading
        if s.table:
            yield "table", grids[s.table](report)
        else:
            yield "text", report.narrative.get(s.key) or ""


def report_html(report: Report) -> str:
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>年报</title>",
           "<script>var x = '1 2 3';</script></head><body>",
           "<div class='nav'>您当前的位置：首页 &gt; 政府信息公开年报</div>"]
    for kind, content in _sections(report):
        if kind == "title":
            out.append(f"<h1>{html.escape(content)}</h1>")
        elif kind == "heading":
            out.append(f"<p><strong>{html.escape(content)}</strong></p>")
        elif kind == "text":
            out += [f"<p>{html.escape(p)}</p>" for p in content.split("\n") if p]
        else:
            out.append("<table border='1'>")
            for row in content:
                tds = "".join(f"<td rowspan='{rs}' colspan='{cs}'>{html.escape(txt).replace('企业', '<br>企业')}</td>"
                              for txt, rs, cs in row)
                out.append(f"<tr>{tds}</tr>")
            out.append("</table>")
    out.append("<div>扫一扫在手机打开当前页</div></body></html>")
    return "\n".join(out)


def report_docx(report: Report, *, style: str | None = None) -> bytes:
    """A .docx with real merged cells; ``style="Table Grid"`` draws cell borders (a PDF made from it
    has ruling lines), the default python-docx table has none."""
    import docx
    d = docx.Document()
    for kind, content in _sections(report):
        if kind in ("title", "heading"):
            d.add_paragraph(content)
        elif kind == "text":
            for p in content.split("\n"):
                if p:
                    d.add_paragraph(p)
        else:
            ncols = max(sum(cs for _, _, cs in row) for row in content[:1]) if content else 1
            ncols = max(ncols, max(sum(cs for _, _, cs in row) for row in content))
            table = d.add_table(rows=len(content), cols=ncols)
            if style:
                table.style = style
            occupied: set = set()
            for r, row in enumerate(content):
                c = 0
                for txt, rs, cs in row:
                    while (r, c) in occupied:
                        c += 1
                    top = table.cell(r, c)
                    top.text = txt
                    if rs > 1 or cs > 1:
                        top.merge(table.cell(r + rs - 1, c + cs - 1))
                    for rr in range(r, r + rs):
                        for cc in range(c, c + cs):
                            occupied.add((rr, cc))
                    c += cs
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
