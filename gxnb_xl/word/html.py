"""The report as one clean HTML page for the website column: the six sections, and the three
tables as real HTML tables with the official merges (``rowspan``/``colspan`` from ``layout.py``).

Every piece of text is escaped once (``html.escape``); staff text is never markup. The page
is self-contained (a small inline stylesheet), UTF-8, ``lang="zh-CN"``; drafted paragraphs
carry ``class="gxnb-drafted"`` and a report that failed the check carries a banner that says so.
"""
from __future__ import annotations

from html import escape

from ..report import Report
from . import style as S
from .context import build_context
from .layout import table_grids

_CSS = """
body{font-family:"仿宋_GB2312","FangSong","STFangsong","Noto Serif CJK SC",serif;font-size:16pt;line-height:1.8;
max-width:48em;margin:2em auto;padding:0 1em;color:#000}
h1{font-family:"方正小标宋简体","FZXiaoBiaoSong-B05S","Noto Serif CJK SC",serif;font-size:22pt;font-weight:normal;
text-align:center;line-height:1.5}
h2{font-family:"黑体","SimHei","Noto Sans CJK SC",sans-serif;font-size:16pt;font-weight:normal;text-indent:2em;margin:0}
p{text-indent:2em;margin:0;text-align:justify}
.gxnb-part{font-family:"楷体_GB2312","KaiTi","AR PL UKai CN",serif}
.gxnb-drafted{background:#fff2cc}
.gxnb-note{color:#c00000}
.gxnb-unchecked{border:3px solid #c00000;color:#c00000;padding:.5em 1em;margin:1em 0;text-indent:0}
.gxnb-unchecked strong{font-size:18pt}
.gxnb-table{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5em 0 1em}
table{border-collapse:collapse;table-layout:fixed;width:100%;font-size:10.5pt;line-height:1.4}
td,th{border:1px solid #000;padding:2px 3px;text-align:center;vertical-align:middle;font-weight:normal;
overflow-wrap:normal;word-break:normal}
.gxnb-label-left{text-align:left}
.gxnb-draft{border:3px solid #b36b00;color:#b36b00;padding:.5em 1em;margin:1em 0;text-indent:0}
.gxnb-sign{text-align:right;text-indent:0}
""".strip()


def _para_html(para) -> str:
    cls = "gxnb-note" if para.note else "gxnb-drafted" if para.drafted else ""
    attr = f' class="{cls}"' if cls else ""
    if para.heading_raw and not para.note:
        body = para.raw[len(para.heading_raw):]
        return f'<p{attr}><span class="gxnb-part">{escape(para.heading_raw)}</span>{escape(body)}</p>'
    return f"<p{attr}>{escape(para.raw)}</p>"


def _table_html(grid, values: dict) -> str:
    """The grid as printed (``layout.py``): the page's column widths in mm, so a phone scrolls the
    table sideways (``.gxnb-table``) instead of squeezing labels to a character a line."""
    rows = []
    for r, cells in enumerate(grid.rows()):
        out = []
        for c in cells:
            span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
            if c.cell:
                out.append(f'<td{span} data-cell="{c.cell}">{escape(values.get(c.cell, ""))}</td>')
            else:
                tag = "th" if r < grid.header_rows or c.role in ("caption", "header", "note") else "td"
                classes = (["gxnb-label-left"] if c.align == "left" else []) + (["gxnb-vertical"] if c.vertical else [])
                left = f' class="{" ".join(classes)}"' if classes else ""
                text = "<br>".join(escape(line) for line in c.lines) if c.lines else escape(c.text)
                out.append(f"<{tag}{span}{left}>{text}</{tag}>")
        rows.append("<tr>" + "".join(out) + "</tr>")
    cols = "".join(f'<col style="width:{w}mm">' for w in grid.widths_mm)
    width = round(sum(grid.widths_mm), 2)
    return (f'<div class="gxnb-table"><table data-table="{grid.table}" style="min-width:{width}mm">\n'
            f"<colgroup>{cols}</colgroup>\n" + "\n".join(rows) + "\n</table></div>")


def render_html(report: Report, *, result=None, context: dict | None = None) -> str:
    """The report as a complete HTML page (string)."""
    ctx = context or build_context(report, result=result)
    spec = report.spec
    grids = table_grids(spec.id, S.TEXT_W_MM)
    title = escape(ctx["title"])
    parts = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f'<meta name="generator" content="gxnb-xl; format={spec.id}">',
             f"<title>{title}</title>", f"<style>\n{_CSS}\n</style>", "</head>", "<body>"]
    if not ctx["passed"]:
        items = "".join(f"<li>{escape(m)}</li>" for m in ctx["errors"])
        parts.append(f'<div class="gxnb-unchecked"><strong>未通过校验</strong>：本报告数据存在'
                     f'{len(ctx["errors"])}处错误，请更正后再发布。<ul>{items}</ul></div>')
    if ctx.get("draft_sections"):
        from ..messages import say
        parts.append(f'<div class="gxnb-draft"><strong>草稿</strong>：'
                     f'{escape(say("render.draft_banner", "zh", sections="、".join(ctx["draft_sections"])))}</div>')
    parts.append(f"<h1>{title}</h1>")
    for sec in spec.sections:
        if sec.heading:
            parts.append(f"<h2>{escape(sec.heading)}</h2>")
        if sec.key:
            parts += [_para_html(p) for p in ctx["paragraphs"].get(sec.key, ())]
        if sec.table:
            parts.append(_table_html(grids[sec.table], ctx["v"]))
    sign = ctx["sign"]
    parts.append(f'<p class="gxnb-sign">{escape(sign["unit"])}</p>')
    parts.append(f'<p class="gxnb-sign">{escape(sign["date"])}</p>')
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
