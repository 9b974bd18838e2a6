"""The three official tables as merged grids, computed from the spec (no python-docx here).

One plan serves the Word template, the plain python-docx baseline and the HTML page, so the
merges are the same everywhere (FORMAT.md):

* 表二: per block a caption row over all columns, a ``信息内容 | <column labels>`` header row and
  one row per item; a block with fewer columns than the widest lets its last column span the rest.
* 表三: the note spans 3 header rows × the label columns; 申请人情况 spans the numeric columns;
  a column without a group (自然人, 总计) spans the two lower header rows, a group (法人或其他组织)
  spans its columns; row captions shared by consecutive rows merge vertically and a row's last
  label spans the remaining label columns.
* 表四: no label column; each group label path is a header stack (行政复议 spans 2 rows × 5
  columns, 行政诉讼 spans 10 columns over 未经复议直接起诉 / 复议后起诉), then the column labels,
  then one row of numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..spec import caption_spans, load_spec

# Printed left of the column labels in each block of 表二. Not (yet) in the format data; read
# from ``tables.t2.row_header`` when a format file provides it.


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    text: str = ""  # a label (verbatim from the spec)
    cell: str | None = None  # a cell id: the number goes here
    role: str = "label"  # caption | header | note | label | value


@dataclass
class TableGrid:
    table: str  # t2 | t3 | t4
    n_rows: int
    n_cols: int
    widths_mm: list[float]
    header_rows: int  # rows repeated on each page
    cells: list[GridCell] = field(default_factory=list)

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


def _spread(total: float, parts: list[float]) -> list[float]:
    s = sum(parts)
    return [round(total * p / s, 2) for p in parts]


def _blocks(tid: str, t: dict, width_mm: float) -> TableGrid:
    ncol = max(len(b["columns"]) for b in t["blocks"])
    header = t["row_header"]
    g = TableGrid(tid, 0, 1 + ncol, _spread(width_mm, [1.4] + [1.0] * ncol), 0)
    r = 0
    for block in t["blocks"]:
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
    g.n_rows = r
    return g


def _grid(tid: str, t: dict, width_mm: float) -> TableGrid:
    cols, rows = t["columns"], t["rows"]
    depth = max(len(r["labels"]) for r in rows)
    ncol = len(cols)
    label_parts = [0.85, 1.15, 3.6][-depth:] if depth <= 3 else [1.0] * depth
    label_mm = width_mm * 0.47
    widths = _spread(label_mm, label_parts) + [round((width_mm - label_mm) / ncol, 2)] * ncol
    g = TableGrid(tid, 3 + len(rows), depth + ncol, widths, 3)
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
    for level, i, k, leaf, label in caption_spans([r["labels"] for r in rows]):
        colspan = depth - level if leaf else 1
        g.cells.append(GridCell(first + i, level, k - i, colspan, label, role="label"))
    for i, r in enumerate(rows):
        for j, col in enumerate(cols):
            g.cells.append(GridCell(first + i, depth + j, cell=f"{tid}.{r['key']}.{col['key']}", role="value"))
    return g


def _groups(tid: str, t: dict, width_mm: float) -> TableGrid:
    groups, cols = t["groups"], t["columns"]
    depth = max(len(gr["labels"]) for gr in groups)
    ncol = len(cols)
    g = TableGrid(tid, depth + 2, len(groups) * ncol, [round(width_mm / (len(groups) * ncol), 2)] * (len(groups) * ncol),
                  depth + 1)
    for level, i, k, leaf, label in caption_spans([gr["labels"] for gr in groups]):
        rowspan = depth - level if leaf else 1
        g.cells.append(GridCell(level, i * ncol, rowspan, (k - i) * ncol, label, role="header"))
    for i, gr in enumerate(groups):
        for j, col in enumerate(cols):
            g.cells.append(GridCell(depth, i * ncol + j, text=col["label"], role="header"))
            g.cells.append(GridCell(depth + 1, i * ncol + j, cell=f"{tid}.{gr['key']}.{col['key']}", role="value"))
    return g


@lru_cache(maxsize=None)
def table_grid(format_id: str, tid: str, width_mm: float = 156.0) -> TableGrid:
    """The merged grid of one table of one format."""
    t = load_spec(format_id).tables[tid]
    return {"blocks": _blocks, "grid": _grid, "groups": _groups}[t["kind"]](tid, t, width_mm)


def table_grids(format_id: str, width_mm: float = 156.0) -> dict[str, TableGrid]:
    spec = load_spec(format_id)
    return {tid: table_grid(format_id, tid, width_mm) for tid in spec.tables}
