"""A review sheet a leader can read and print: the 汇总情况 sheet and ``--annotate``'s 审核报告.

Header row frozen and repeated on every printed page, borders, status fills (red: errors or
unreadable; amber: warnings; grey: not sent), wrapped text columns of sensible widths, filters on
the table, landscape A4 fitted to the page width. Drawn with XlsxWriter into a sheet the template
writer created (``excel.template.write_workbook(review_draw=…)``).
"""
from __future__ import annotations

from decimal import Decimal

FONT = "宋体"
FILLS = {"red": "#FFC7CE", "amber": "#FFEB9C", "grey": "#D9D9D9", "green": "#E2EFDA", "none": None}


class Table:
    """Rows of plain values, each with a kind: ``title``, ``note``, ``blank``, ``head`` (a table's
    header), ``section`` (a heading line) or ``row`` with a fill name (``FILLS``)."""

    def __init__(self):
        self.rows: list[list] = []
        self.kinds: list[tuple[str, str]] = []

    def add(self, cells: list, kind: str = "row", fill: str = "none") -> None:
        self.rows.append(list(cells))
        self.kinds.append((kind, fill))

    def padded(self) -> list[list]:
        width = max((len(r) for r in self.rows), default=1)
        return [r + [""] * (width - len(r)) for r in self.rows]


def draw(wb, ws, table: Table, *, widths: list[int], wrap: set[int], main_head: int | None = None,
         filter_end: int | None = None) -> None:
    """Write ``table`` into ``ws`` with the styles above. ``main_head`` is the row index of the
    header to freeze, filter (down to ``filter_end``) and repeat when printed."""
    base = {"font_name": FONT, "font_size": 10, "valign": "top"}
    cache: dict = {}

    def fmt(kind: str, fill: str, col_wrap: bool, number: bool = False):
        key = (kind, fill, col_wrap, number)
        if key not in cache:
            props = dict(base)
            if kind == "title":
                props.update(bold=True, font_size=14)
            elif kind == "section":
                props.update(bold=True, font_size=11)
            elif kind == "head":
                props.update(bold=True, border=1, bg_color="#D9E1F2", text_wrap=True, align="center", valign="vcenter")
            elif kind == "row":
                props.update(border=1, text_wrap=col_wrap)
                if FILLS.get(fill):
                    props["bg_color"] = FILLS[fill]
                if number:
                    props["align"] = "right"
            cache[key] = wb.add_format(props)
        return cache[key]

    rows = table.padded()
    ncols = len(rows[0]) if rows else 1
    for i, (row, (kind, fill)) in enumerate(zip(rows, table.kinds)):
        for j, v in enumerate(row):
            if kind in ("title", "note", "section", "blank") and v in ("", None):
                continue
            number = isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)
            f = fmt(kind, fill, j in wrap or kind == "head", number)
            if number:
                ws.write_number(i, j, float(v) if isinstance(v, Decimal) else v, f)
            else:
                ws.write_string(i, j, "" if v is None else str(v), f)
    for j in range(ncols):
        ws.set_column(j, j, widths[j] if j < len(widths) else 12)
    if main_head is not None:
        ws.freeze_panes(main_head + 1, 0)
        ws.autofilter(main_head, 0, max(main_head, filter_end if filter_end is not None else main_head), ncols - 1)
        ws.repeat_rows(main_head)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    # XlsxWriter cannot measure text: give wrapped rows the height their longest cell needs, so a
    # printed page shows every word (Excel and LibreOffice keep an explicit height)
    for i, (row, (kind, _)) in enumerate(zip(rows, table.kinds)):
        if kind not in ("row", "head"):
            continue
        lines = 1
        for j, v in enumerate(row):
            if (j in wrap or kind == "head") and isinstance(v, str) and v:
                width = max(widths[j] if j < len(widths) else 12, 4)
                lines = max(lines, sum(-(-_display_width(part) // width) or 1 for part in v.split("\n")))
        if lines > 1:
            ws.set_row(i, min(409, 13.5 * lines))


def _display_width(text: str) -> int:
    """Columns a text takes: CJK and full-width characters count two."""
    if text.isascii():  # file names, numbers, codes: one column each, no lookup per character
        return len(text)
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
