"""A review sheet a leader can read and print: the 汇总情况 sheet and ``--annotate``'s 审核报告.

Header row frozen and repeated on every printed page, borders, status fills (red: errors or
unreadable; amber: warnings; grey: not sent), wrapped text columns of sensible widths, filters on
the table, landscape A4 fitted to the page width. Drawn with XlsxWriter into a sheet the template
writer created (``excel.template.write_workbook(review_draw=…)``).
"""
from __future__ import annotations

import itertools
import math
import operator
from decimal import Decimal

from .. import lazyre
from ..excel.layout import col_letter

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


SPARSE = ("title", "note", "section", "blank")  # kinds whose empty cells are not written


def draw(wb, ws, table: Table, *, widths: list[int], wrap: set[int], main_head: int | None = None,
         filter_end: int | None = None) -> None:
    """Write ``table`` into ``ws`` with the styles above. ``main_head`` is the row index of the
    header to freeze, filter (down to ``filter_end``) and repeat when printed.

    The cells and row heights go straight into the sheet's XML (``_FastRows``): XlsxWriter's
    per-cell calls were most of the time of a 3,000-file summary. The XML is the one XlsxWriter
    writes for the same calls (``draw_reference``; tests compare the two byte for byte); a sheet
    the fast writer does not cover is drawn the reference way."""
    rows = table.padded()
    ncols = len(rows[0]) if rows else 1
    fmt = _formats(wb)
    heights = _heights(rows, table.kinds, widths, wrap)
    fast = _FastRows.install(ws, rows, table.kinds, wrap, fmt, heights)
    if not fast:
        _write_cells(ws, rows, table.kinds, wrap, fmt)
    _finish(ws, ncols, widths, main_head, filter_end)
    if not fast:
        for i, h in heights:
            ws.set_row(i, h)


def draw_reference(wb, ws, table: Table, *, widths: list[int], wrap: set[int], main_head: int | None = None,
                   filter_end: int | None = None) -> None:
    """``draw`` through XlsxWriter's public calls only, one per cell: what ``draw`` must equal."""
    rows = table.padded()
    ncols = len(rows[0]) if rows else 1
    _write_cells(ws, rows, table.kinds, wrap, _formats(wb))
    _finish(ws, ncols, widths, main_head, filter_end)
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


def _formats(wb):
    """fmt(kind, fill, wrapped, number) → the XlsxWriter format, made on first use."""
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
    return fmt


def _is_number(v) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _write_cells(ws, rows: list[list], kinds: list[tuple[str, str]], wrap: set[int], fmt) -> None:
    for i, (row, (kind, fill)) in enumerate(zip(rows, kinds)):
        for j, v in enumerate(row):
            if kind in SPARSE and v in ("", None):
                continue
            number = _is_number(v)
            f = fmt(kind, fill, j in wrap or kind == "head", number)
            if number:
                ws.write_number(i, j, float(v) if isinstance(v, Decimal) else v, f)
            else:
                ws.write_string(i, j, "" if v is None else str(v), f)


def _finish(ws, ncols: int, widths: list[int], main_head: int | None, filter_end: int | None) -> None:
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


def _heights(rows: list[list], kinds: list[tuple[str, str]], widths: list[int], wrap: set[int]) -> list[tuple]:
    """(row, height in points) of the rows that need more than one line.

    XlsxWriter cannot measure text: give wrapped rows the height their longest cell needs, so a
    printed page shows every word (Excel and LibreOffice keep an explicit height)."""
    out = []
    ncols = max((len(r) for r in rows), default=0)
    cols = [max(widths[j] if j < len(widths) else 12, 4) for j in range(ncols)]
    wrapped = [j for j in range(ncols) if j in wrap]
    for i, (row, (kind, _)) in enumerate(zip(rows, kinds)):
        if kind not in ("row", "head"):
            continue
        lines = 1
        for j in (range(len(row)) if kind == "head" else wrapped):
            v = row[j]
            if v.__class__ is not str and not isinstance(v, str):
                continue
            width = cols[j]
            if "\n" in v:
                n = sum(-(-_display_width(part) // width) or 1 for part in v.split("\n"))
            elif 2 * len(v) <= width:  # even all wide characters fit on one line
                continue
            else:
                n = -(-_display_width(v) // width)
            if n > lines:
                lines = n
        if lines > 1:
            out.append((i, min(409, 13.5 * lines)))
    return out


# Han ideographs, CJK punctuation and full-width forms: all East Asian wide or full-width (checked
# in the tests against unicodedata) and three bytes in UTF-8; with ASCII, measured without a lookup
_KNOWN = lazyre.compile("[\x00-\x7f\u3001-\u303e\u4e00-\u9fff\uff01-\uff60]+")


def _display_width(text: str) -> int:
    """Columns a text takes: CJK and full-width characters count two."""
    if text.isascii():  # file names, numbers, codes: one column each, no lookup per character
        return len(text)
    rest = _KNOWN.sub("", text)  # the characters that need unicodedata (quotes “”, …)
    known = len(text) - len(rest)
    wide = (len(text.encode("utf-8")) - len(rest.encode("utf-8")) - known) // 2  # 3 bytes each, ASCII 1
    if not rest:
        return known + wide
    import unicodedata
    return known + wide + sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in rest)


class _FastRows:
    """The ``<sheetData>`` of one worksheet, built when drawn and written in place of XlsxWriter's
    per-cell writer when the workbook is saved.

    Byte for byte what XlsxWriter writes for ``write_string``/``write_number`` with a format on every
    cell and ``set_row(height)``: shared strings registered in the same order, rows with the same
    ``spans`` (per block of 16 rows), heights and style indices (given out in order of first use
    while the sheet is saved, as XlsxWriter does). Rows of one shape (kind, fill, the type of each
    cell) share one row template, filled by one ``str.format`` per row."""

    @classmethod
    def install(cls, ws, rows: list[list], kinds: list[tuple[str, str]], wrap: set[int], fmt,
                heights: list[tuple]) -> bool:
        """Take over the sheet's cells; False (nothing done) when the sheet or a value is one the
        fast writer does not cover: the caller then writes them one by one."""
        st = getattr(ws, "str_table", None)
        if (getattr(ws, "constant_memory", True) or getattr(ws, "table", None) is None or ws.table
                or ws.row_info or getattr(ws, "dim_rowmin", 0) is not None or st is None
                or type(getattr(st, "string_table", None)) is not dict or st.unique_count != len(st.string_table)
                or not callable(getattr(ws, "_write_sheet_data", None)) or not rows
                or len(rows) > ws.xls_rowmax or len(rows[0]) > ws.xls_colmax):
            return False
        try:
            built = cls._build(rows, kinds, wrap, fmt, ws.xls_strmax // 2)
        except _NotCovered:
            return False
        strings, parts, spans, dims, tokens = built
        tall = {}
        for i, h in heights:
            px = int(h * 4.0 / 3.0 + 0.5)
            if px != ws.original_row_height or px != ws.default_row_height:
                tall[i] = f' ht="{px * 0.75:.16g}" customHeight="1"'
        if not dims or not tall.keys() <= parts.keys():
            return False  # no cell at all, or a tall row without cells (an empty <row>)
        # the sheet's shared strings, in the order one write_string per cell adds them
        table = st.string_table
        index = [table.setdefault(s, len(table)) for s in strings]
        st.count += len(strings)
        st.unique_count = len(table)
        ws._check_dimensions(dims[0], dims[1])
        ws._check_dimensions(dims[2], dims[3])
        out, k = [], 0
        for i, (tpl, nums, n) in parts.items():
            s0, s1 = spans[i // 16]
            out.append((tpl, (i + 1, f"{s0 + 1}:{s1 + 1}", tall.get(i, ""), *index[k:k + n], *nums)))
            k += n
        self = cls()
        self.rows, self.formats, self.ws = out, list(tokens.items()), ws
        ws._write_sheet_data = self.write
        return True

    @staticmethod
    def _build(rows, kinds, wrap, fmt, strmax):
        """(strings in cell order, row → (template, numbers, n strings), block → [min col, max col],
        (min row, min col, max row, max col), format → placeholder)."""
        strings: list = []
        parts: dict = {}
        spans: dict = {}
        tokens: dict = {}  # format → placeholder for its style index, in order of first use
        templates: dict = {}

        def template(kind, fill, row, cols):
            """A row shape's XML with placeholders, and how to take its numbers and strings from a row."""
            if not cols:
                return None
            xml, nums, strs = [], [j for j in cols if _is_number(row[j])], [j for j in cols if not _is_number(row[j])]
            si, ni = 3, 3 + len(strs)
            for j in cols:
                number = j in nums
                f = fmt(kind, fill, j in wrap or kind == "head", number)
                tok = tokens.get(f) or tokens.setdefault(f, f"\x00{len(tokens)}\x00")
                if number:
                    xml.append(f'<c r="{col_letter(j)}{{0}}" s="{tok}"><v>{{{ni}}}</v></c>')
                    ni += 1
                else:
                    xml.append(f'<c r="{col_letter(j)}{{0}}" s="{tok}" t="s"><v>{{{si}}}</v></c>')
                    si += 1
            return ('<row r="{0}" spans="{1}"{2}>' + "".join(xml) + "</row>", len(strs),
                    _getter(nums), all(row[j].__class__ is int for j in nums),
                    _getter(strs), all(row[j].__class__ is str for j in strs), cols[0], cols[-1])

        for i, row in enumerate(rows):
            kind, fill = kinds[i]
            if kind in SPARSE:
                cols = [j for j, v in enumerate(row) if v not in ("", None)]
                key = (kind, fill, tuple((j, row[j].__class__) for j in cols))
            else:
                cols = range(len(row))
                key = (kind, fill, tuple(map(type, row)))
            got = templates.get(key, templates)
            if got is templates:
                got = templates[key] = template(kind, fill, row, list(cols))
            if got is None:
                continue  # nothing written in this row
            tpl, n_str, num_get, plain_ints, str_get, plain_strs, lo, hi = got
            if num_get is None:
                nums = ()
            elif plain_ints:
                nums = list(map(format, num_get(row), _G16))
            else:
                nums = [_number_text(v) for v in num_get(row)]
            if str_get is not None:
                strings.extend(str_get(row) if plain_strs else
                               ["" if v is None else str(v) for v in str_get(row)])
            parts[i] = (tpl, nums, n_str)
            b = spans.get(i >> 4)
            if b is None:
                spans[i >> 4] = [lo, hi]
            else:
                if lo < b[0]:
                    b[0] = lo
                if hi > b[1]:
                    b[1] = hi
        if strings and max(map(len, strings)) > strmax:
            raise _NotCovered  # may need truncating: XlsxWriter's own rules apply
        if not parts:
            return strings, parts, spans, None, tokens
        dims = (next(iter(parts)), min(b[0] for b in spans.values()), next(reversed(parts)),
                max(b[1] for b in spans.values()))
        return strings, parts, spans, dims, tokens

    def write(self) -> None:
        if self.ws.table:  # cells written another way after the drawing would be lost: never silently
            raise RuntimeError(f"sheet {self.ws.name!r}: cells written after its rows were drawn")
        # style indices as XlsxWriter gives them: while saving, in order of first use
        xf = [(tok, str(f._get_xf_index())) for f, tok in self.formats]
        filled = {}
        for tpl, _ in self.rows:
            if tpl not in filled:
                text = tpl
                for tok, index in xf:
                    text = text.replace(tok, index)
                filled[tpl] = text.format
        self.ws.fh.write(f"<sheetData>{''.join([filled[tpl](*args) for tpl, args in self.rows])}</sheetData>")


class _NotCovered(Exception):
    """A value the fast writer leaves to XlsxWriter."""


_G16 = itertools.repeat(".16G")  # XlsxWriter's number format, for map(format, …)


def _number_text(v) -> str:
    """A number as XlsxWriter writes it (Decimal through float); NaN and infinity are not covered."""
    v = float(v) if isinstance(v, Decimal) else v
    if v != v or v in (math.inf, -math.inf):
        raise _NotCovered  # XlsxWriter refuses them, or writes an error formula: its own rules apply
    return format(v, ".16G")


def _getter(cols: list[int]):
    """row → tuple of the cells in ``cols`` (None for none)."""
    if not cols:
        return None
    get = operator.itemgetter(*cols)
    return get if len(cols) > 1 else (lambda row: (get(row),))
