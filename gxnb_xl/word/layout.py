"""THE layout of the official tables: one merged-cell grid per table, computed from the format
data (``gxnb_xl/formats/*.toml``) and drawn by every writer (Word template, python-docx baseline,
HTML page; the Excel template is to draw it too). No python-docx here.

Public API (stable; other writers build on it)::

    table_grid(format_id, table_id, width_mm=156.0) -> TableGrid    # cached
    table_grids(format_id, width_mm=156.0) -> {table_id: TableGrid}  # in the format's order
    label_lines(text, chars_per_line) -> tuple[str, ...]
    TableGrid: table, kind, n_rows, n_cols, widths_mm, header_rows, keep_rows, cells,
               at(row, col), rows(), value_cells()
    GridCell:  row, col, rowspan, colspan, text, cell, role, align, lines, vertical

How each ``kind`` of table (format data ``tables.<id>.kind``) becomes a grid (FORMAT.md):

* ``blocks``: per block a caption row over all columns, a ``<row_header> | <column labels>`` header
  row and one row per item; a block with fewer columns than the widest lets its last column span
  the rest. No row repeats across pages; instead each block is kept on one page (``keep_rows``),
  so a page always starts with a block's own caption and header.
* ``grid``: the note spans the header rows × the label columns; ``column_header`` spans the
  numeric columns; a column without a ``group`` spans the two lower header rows, a group spans its
  columns; row captions shared by consecutive rows merge vertically, and a row's last label spans
  the remaining label columns. The header rows repeat on every page.
* ``groups``: no label column; each group's label path is a header stack, then the column labels,
  then one row of numbers. The header rows repeat on every page.

Widths are measured in characters of the table font, so that the printed table reads like the
official one: a caption spanning several rows in the outermost label column (三、本年度办理结果)
gets a one-character column and reads as one vertical column; number columns hold three
characters; header labels longer than their cell break between words (商业/企业, 社会/公益/组织,
本年收费金额/（单位：万元）), never inside one (自然/人). Row labels of a ``grid`` table are
left-aligned, every other label centred.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..record import field, record, replace
from ..spec import caption_spans, load_spec

TABLE_PT = 10.5  # the table font (style.TABLE_PT): 五号
CHAR_MM = TABLE_PT * 25.4 / 72  # one Chinese character of the table font, 3.70 mm
CELL_MARGIN_MM = 2 * 40 * 25.4 / 1440  # left + right cell margins of the Word table (40 twips each)
SLACK_MM = 0.6  # rounding in the engines' measurements: a line that fits on paper must fit here too
NUMBER_CHARS = 3  # a number column fits three characters (自然人) and any count up to 99 999
VERTICAL_CHARS = 1  # a caption spanning rows in the outermost label column: one character a line
CAPTION_CHARS = 4  # a caption spanning rows in an inner label column: （三）/不予公开
_NUMBERING = re.compile(r"^(?:（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|\d+[.．、])")


def column_mm(chars: int) -> float:
    """Width of a column holding ``chars`` characters a line."""
    return round(chars * CHAR_MM + CELL_MARGIN_MM + SLACK_MM, 2)


def chars_fitting(width_mm: float) -> int:
    return max(1, int((width_mm - CELL_MARGIN_MM - SLACK_MM + 0.01) // CHAR_MM))  # + the rounding of widths


def _units(text: str) -> list[str]:
    """Pieces a label may break between: its numbering (（三）, 1.), a parenthetical, and
    two-character words (most Chinese words in the official labels have two characters)."""
    out = []
    m = _NUMBERING.match(text)
    if m:
        out.append(m.group(0))
        text = text[m.end():]
    head, sep, paren = text.partition("（")
    for i in range(0, len(head), 2):
        out.append(head[i:i + 2])
    if sep:
        out.append(sep + paren)
    return [u for u in out if u]


def label_lines(text: str, chars_per_line: int) -> tuple[str, ...]:
    """``text`` broken into lines of at most ``chars_per_line`` characters between words; a
    piece longer than a line stays whole (the engine wraps it). One line when it fits."""
    if len(text) <= chars_per_line:
        return (text,)
    lines: list[str] = []
    for unit in _units(text):
        if lines and len(lines[-1]) + len(unit) <= chars_per_line:
            lines[-1] += unit
        else:
            lines.append(unit)
    return tuple(lines)


@record(frozen=True)
class GridCell:
    """A cell of a table's merged grid, with its text lines."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    text: str = ""  # a label (verbatim from the format data)
    cell: str | None = None  # a cell id: the number goes here
    role: str = "label"  # caption | header | note | label | value
    align: str = "center"  # left | center
    lines: tuple[str, ...] = ()  # the label as printed, line by line (empty: the engine wraps ``text``)
    vertical: bool = False  # a caption spanning rows in a one-character column: read top to bottom


@record
class TableGrid:
    """An official table as one merged grid, with its column widths."""

    table: str  # the table's id in the format data
    n_rows: int
    n_cols: int
    widths_mm: list[float]
    header_rows: int  # rows repeated on each page
    cells: list[GridCell] = field(default_factory=list)
    kind: str = ""  # blocks | grid | groups (format data)
    keep_rows: list[tuple[int, int]] = field(default_factory=list)  # (first, end) row ranges kept on one page

    def at(self, row: int, col: int) -> GridCell | None:
        """The cell whose top-left corner is (row, col)."""
        for c in self.cells:
            if c.row == row and c.col == col:
                return c
        return None

    def value_cells(self) -> dict[str, GridCell]:
        return {c.cell: c for c in self.cells if c.cell}

    def rows(self) -> list[list[GridCell]]:
        out: list[list[GridCell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        for r in out:
            r.sort(key=lambda c: c.col)
        return out

    def width_of(self, c: GridCell) -> float:
        return sum(self.widths_mm[c.col:c.col + c.colspan])


def _with_lines(g: TableGrid, c: GridCell) -> GridCell:
    """Header cells and captions spanning rows get their lines (breaks between words) for their
    width; a vertical caption one character a line. Row labels wrap as the engine likes."""
    spanning_caption = c.role == "label" and c.rowspan > 1
    if c.cell or not c.text or not (c.role in ("header", "caption") or spanning_caption):
        return c
    lines = tuple(c.text) if c.vertical else label_lines(c.text, chars_fitting(g.width_of(c)))
    return c if lines == (c.text,) else replace(c, lines=lines)


def _finish(g: TableGrid) -> TableGrid:
    g.cells = [_with_lines(g, c) for c in g.cells]
    return g


def _blocks(tid: str, t: dict, width_mm: float) -> TableGrid:
    ncol = max(len(b["columns"]) for b in t["blocks"])
    header = t["row_header"]
    label_mm = round(width_mm * 1.4 / (1.4 + ncol), 2)
    widths = [label_mm] + [round((width_mm - label_mm) / ncol, 2)] * ncol
    g = TableGrid(tid, 0, 1 + ncol, widths, 0, kind="blocks")
    r = 0
    for block in t["blocks"]:
        first = r
        g.cells.append(GridCell(r, 0, 1, 1 + ncol, block["caption"], role="caption"))
        r += 1
        n = len(block["columns"])
        spans = [1] * (n - 1) + [ncol - (n - 1)]
        g.cells.append(GridCell(r, 0, text=header, role="header"))
        c = 1
        for col, span in zip(block["columns"], spans):
            g.cells.append(GridCell(r, c, 1, span, col["label"], role="header"))
            c += span
        r += 1
        for row in block["rows"]:
            g.cells.append(GridCell(r, 0, text=row["label"], role="label"))
            c = 1
            for col, span in zip(block["columns"], spans):
                g.cells.append(GridCell(r, c, 1, span, cell=f"{tid}.{row['key']}.{col['key']}", role="value"))
                c += span
            r += 1
        g.keep_rows.append((first, r))
    g.n_rows = r
    return _finish(g)


def _grid(tid: str, t: dict, width_mm: float) -> TableGrid:
    cols, rows = t["columns"], t["rows"]
    depth = max(len(r["labels"]) for r in rows)
    ncol = len(cols)
    spans = caption_spans([r["labels"] for r in rows])
    # a label column that only holds captions spanning rows is narrow (one character outermost,
    # four further in); the innermost label column takes what is left
    # (a row's own last label spans the deeper columns, so only captions constrain a column)
    caption_only = [all(k - i > 1 for lv, i, k, leaf, _ in spans if lv == level and not leaf) for level in range(depth)]
    number_mm = column_mm(NUMBER_CHARS)
    label_widths = [column_mm(VERTICAL_CHARS if level == 0 and caption_only[0] else CAPTION_CHARS)
                    for level in range(depth - 1)]
    label_widths.append(round(width_mm - number_mm * ncol - sum(label_widths), 2))
    g = TableGrid(tid, 3 + len(rows), depth + ncol, label_widths + [number_mm] * ncol, 3, kind="grid")
    g.cells.append(GridCell(0, 0, 3, depth, t.get("note", ""), role="note"))
    g.cells.append(GridCell(0, depth, 1, ncol, t.get("column_header", ""), role="header"))
    j = 0
    while j < ncol:
        group = cols[j].get("group")
        if not group:
            g.cells.append(GridCell(1, depth + j, 2, 1, cols[j]["label"], role="header"))
            j += 1
            continue
        k = j
        while k < ncol and cols[k].get("group") == group:
            g.cells.append(GridCell(2, depth + k, 1, 1, cols[k]["label"], role="header"))
            k += 1
        g.cells.append(GridCell(1, depth + j, 1, k - j, group, role="header"))
        j = k
    first = 3
    for level, i, k, leaf, label in spans:
        colspan = depth - level if leaf else 1
        vertical = not leaf and level == 0 and caption_only[0]
        g.cells.append(GridCell(first + i, level, k - i, colspan, label, role="label",
                                align="left" if leaf else "center", vertical=vertical))
    for i, r in enumerate(rows):
        for j, col in enumerate(cols):
            g.cells.append(GridCell(first + i, depth + j, cell=f"{tid}.{r['key']}.{col['key']}", role="value"))
    return _finish(g)


def _groups(tid: str, t: dict, width_mm: float) -> TableGrid:
    groups, cols = t["groups"], t["columns"]
    depth = max(len(gr["labels"]) for gr in groups)
    ncol = len(cols)
    n = len(groups) * ncol
    g = TableGrid(tid, depth + 2, n, [round(width_mm / n, 2)] * n, depth + 1, kind="groups")
    for level, i, k, leaf, label in caption_spans([gr["labels"] for gr in groups]):
        rowspan = depth - level if leaf else 1
        g.cells.append(GridCell(level, i * ncol, rowspan, (k - i) * ncol, label, role="header"))
    for i, gr in enumerate(groups):
        for j, col in enumerate(cols):
            g.cells.append(GridCell(depth, i * ncol + j, text=col["label"], role="header"))
            g.cells.append(GridCell(depth + 1, i * ncol + j, cell=f"{tid}.{gr['key']}.{col['key']}", role="value"))
    return _finish(g)


KINDS = {"blocks": _blocks, "grid": _grid, "groups": _groups}


@lru_cache(maxsize=None)
def table_grid(format_id: str, tid: str, width_mm: float = 156.0) -> TableGrid:
    """The merged grid of one table of one format."""
    t = load_spec(format_id).tables[tid]
    return KINDS[t["kind"]](tid, t, width_mm)


def table_grids(format_id: str, width_mm: float = 156.0) -> dict[str, TableGrid]:
    spec = load_spec(format_id)
    return {tid: table_grid(format_id, tid, width_mm) for tid in spec.tables}
