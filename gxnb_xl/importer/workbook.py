"""Any workbook that holds the official tables — not made from our template — read by its labels.

A county's own Excel version of the 30号 tables, a Word table pasted into Excel, a web page saved
as .xlsx by LibreOffice or WPS: the tables can sit on one sheet or three, at any offset, under
merged headers, with label variants. Each visible sheet becomes rows of cells
(``label | 3 | 0 | ∅``: merged cells once, at their top-left; an empty cell between filled ones
``∅``), which is exactly the shape every other source is turned into, so the one table reader
finds the tables by their labels and records every cell as read / derived / missing.

python-calamine reads .xlsx/.xlsm/.xls/.ods/.xlsb; numbers come back as floats and are printed
back in their shortest exact form (``326.8``, not ``326.80000000000001``).
"""
from __future__ import annotations

import datetime
import re
import io
import math
from decimal import Decimal
from pathlib import Path

from ..errors import ReportError
from ..excel.layout import a1
from .cells import BLANK, cell_text

MAX_CELLS = 400_000  # per workbook: the official tables need a few hundred
MAX_MERGES = 20_000
HIDDEN_SHEETS = ("_gxnb",)
_NUMBER_TEXT = re.compile(r"[+-]?\d+(?:\.\d+)?\s*(?:万元|元)?")


def workbook_text(path: str | Path, data: bytes | None = None, grid: list | None = None) -> str:
    """Every visible sheet as rows of cells (``data`` is ignored: the file is read once by sniff).
    ``grid``, when given, receives (sheet, row, [(column, text)]) of every row written, 0-based."""
    p = Path(path)
    # the template reader's checks first: what is not a workbook, zip bombs, sheets whose used
    # range would make calamine reserve absurd memory (it aborts the process rather than raise)
    from ..excel.package import Package
    from ..excel.reader import MAX_SHEET_CELLS
    from ..excel.sniff import guarded, sniff
    data, _, z = sniff(p)
    pkg = None
    if z is not None:
        pkg, _ = guarded(Package, z)
    try:
        return _text(p, data, pkg, MAX_SHEET_CELLS, grid)
    finally:
        if z is not None:
            z.close()


def _text(p: Path, data: bytes, pkg, max_sheet: int, grid: list | None = None) -> str:
    name = p.name
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency
        raise ReportError(f"{name}：缺少 python-calamine，无法读取工作簿", f"{name}: python-calamine is missing") from None
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # noqa: BLE001 - calamine raises its own errors and may panic
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise ReportError(f"{name}：无法打开工作簿（文件可能已损坏或不是工作簿）",
                          f"{name}: cannot open the workbook (damaged, or not a workbook)") from None
    lines: list[str] = []
    budget = MAX_CELLS
    try:
        visible = {m.name: str(m.visible).lower().endswith("visible") for m in wb.sheets_metadata}
        for sheet_name in wb.sheet_names:
            if sheet_name in HIDDEN_SHEETS or not visible.get(sheet_name, True):
                continue
            scanned = pkg.sheet(sheet_name, details=False) if pkg is not None else None
            if scanned is not None and scanned.rows * scanned.cols > max_sheet:
                raise ReportError(f"{name}：工作表“{sheet_name}”的使用范围异常大（通常是表格外很远处误填了内容），已拒绝读取",
                                  f"{name}: sheet {sheet_name!r} extends absurdly far; delete stray content outside the tables")
            try:
                sheet = wb.get_sheet_by_name(sheet_name)
                if sheet.height * sheet.width > budget:
                    raise ReportError(f"{name}：工作表“{sheet_name}”的使用范围过大，不像年度报告表格",
                                      f"{name}: sheet {sheet_name!r} is far too large for the report tables")
                budget -= sheet.height * sheet.width
                rows = sheet.to_python(skip_empty_area=False)
                merges = _merges(sheet)
            except ReportError:
                raise
            except BaseException as exc:  # noqa: BLE001
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                continue  # an unreadable chart sheet or the like: the tables are elsewhere
            lines.append(sheet_name)
            lines.extend(_rows(rows, merges, sheet_name, grid))
    finally:
        wb.close()
    return "\n".join(lines)


def _merges(sheet) -> set[tuple[int, int]]:
    """Grid positions covered by a merged range other than its top-left cell."""
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:  # noqa: BLE001 - not every format reports merges
        return set()
    covered: set[tuple[int, int]] = set()
    for (r0, c0), (r1, c1) in ranges[:MAX_MERGES]:
        if (r1 - r0 + 1) * (c1 - c0 + 1) > 5000:
            continue  # an absurd merge: never expand it
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    covered.add((r, c))
    return covered


def _rows(rows: list[list], covered: set, sheet: str = "", grid: list | None = None) -> list[str]:
    """Rows as ``a | b | ∅``: an empty cell becomes ``∅`` only in a column that holds a number in
    some row of the sheet (a blank value); empty spacer columns of the layout are left out."""
    numeric = set()
    for row in rows:
        for c, v in enumerate(row):
            if isinstance(v, (int, float)) and not isinstance(v, bool) or \
                    isinstance(v, str) and _NUMBER_TEXT.fullmatch(v.strip()):
                numeric.add(c)  # a web page saved as a workbook keeps its numbers as text
    out = []
    for r, row in enumerate(rows):
        cells = []
        placed = []
        for c, v in enumerate(row):
            if (r, c) in covered:
                continue
            shown = _shown(v)
            if not shown and c not in numeric:
                continue
            cells.append(shown)
            if shown:
                placed.append((c, shown))
        if grid is not None and placed:
            grid.append((sheet, r, placed))
        while cells and not cells[-1]:
            cells.pop()
        while cells and not cells[0]:
            cells.pop(0)
        if cells:
            out.append(" | ".join(x if x else BLANK for x in cells))
    return out


def _shown(v) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            return ""
        if v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return format(Decimal(repr(v)).normalize(), "f")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (datetime.date, datetime.time, datetime.timedelta)):
        return ""  # a date in a number cell is a spreadsheet's auto-format, never a count
    return cell_text(str(v))


def cell_addresses(path, result) -> dict[str, str]:
    """Where each cell read from a workbook sits (``表三!E7``), for findings that name addresses.

    Found again by the row's label and its numbers, and kept only when the numbers at those
    places are exactly the values read: an address is never a guess."""
    from ..values import read_value
    from .text import core, norm
    grid: list = []
    workbook_text(path, grid=grid)
    spec = result.report.spec
    status = result.cell_status
    rows = []
    for block in spec.tables["t2"]["blocks"]:
        for row in block["rows"]:
            rows.append((row["label"], [f"t2.{row['key']}.{c['key']}" for c in block["columns"]]))
    t3 = spec.tables["t3"]
    for row in t3["rows"]:
        rows.append((row["labels"][-1], [f"t3.{row['key']}.{c['key']}" for c in t3["columns"]]))
    t4 = spec.tables["t4"]
    rows.append((None, [f"t4.{g['key']}.{c['key']}" for g in t4["groups"] for c in t4["columns"]]))
    out: dict[str, str] = {}
    for label, cells in rows:
        if any(status.get(c) is None or status[c].status != "read" for c in cells):
            continue
        want = [status[c].value for c in cells]
        forms = (norm(label), core(label)) if label else ()
        for sheet, r, placed in grid:
            if forms and not any(norm(t) in forms or (len(forms[1]) > 6 and forms[1] in norm(t)) for _, t in placed):
                continue
            numbers = [(c, t) for c, t in placed if _NUMBER_TEXT.fullmatch(t)]
            if len(numbers) != len(cells):
                continue
            got = [read_value(t, spec.cells[cid].type)[0] for (_, t), cid in zip(numbers, cells)]
            if got == want:
                for (c, _), cid in zip(numbers, cells):
                    out[cid] = f"{sheet}!{a1(r, c)}"
                break
    return out
