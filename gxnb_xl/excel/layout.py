"""Where everything sits in the workbook: pure, deterministic positions computed from the spec.

No XlsxWriter here: readers (workbook import, aggregation, annotation) use this module to find
cells without writing anything. The writer (``template.py``) draws exactly what this plans.

Sheets: 封面 (unit, year, level, contact …), 表二, 表三, 表四 (the official tables with their
official labels and merges), 正文 (narrative sections with guidance), 校验 (one row per relation
instance: 正确 / 错误 / 未填完 and the imbalance) and a hidden ``_gxnb`` metadata sheet.

Coordinates: ``Layout.cells`` etc. hold ``(sheet, "A1")``; the drawing plan (texts, merges)
holds zero-based ``(row, col)`` like XlsxWriter.
"""
from __future__ import annotations

from functools import lru_cache

from .. import levels as _levels
from ..record import field, record
from ..spec import CONSTANT, Equation, Spec, caption_spans

LAYOUT_VERSION = "1"
META_SHEET = "_gxnb"
COVER, NARRATIVE, CHECKS = "封面", "正文", "校验"

# clerk-facing names of the levels (the workbook shows the Chinese label, JSON keeps the code)
LEVEL_LABELS = _levels.labels()
LEVEL_CODES = {v: k for k, v in LEVEL_LABELS.items()}

# cover fields: key → label
META_FIELDS = (("unit", "机关名称"), ("year", "年度"), ("level", "层级"), ("contact", "联系人"),
               ("phone", "联系电话"), ("date", "填报日期"))

NARRATIVE_PARTS = 3  # cells reserved per narrative key (text longer than one cell continues below)
CELL_LIMIT = 32767  # Excel's characters (UTF-16 units) per cell

OK, FAIL, WARN, BLANK, NA = "正确", "错误", "请核实", "未填完", "不适用"
BROKEN = "表格结构被改动，请用原模板重新填写"  # shown instead of #REF!/#VALUE! when references break
HELPER_COL = 7  # hidden column of the 校验 sheet: one flag per typed cell (1 = blank or not a valid number)
VALUE_COL = 8  # hidden: each typed cell's number as gxnb check reads it (text "87", "９", "61 " → 87, 9, 61)
TOTAL_COL = 9  # hidden: one flag per total (1 = the stored total is not what its formula gives)


def col_letter(col: int) -> str:
    s = ""
    col += 1
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s


def a1(row: int, col: int, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


def parse_a1(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha()).upper()
    digits = "".join(ch for ch in ref if ch.isdigit())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


def ref(sheet: str, address: str) -> str:
    """A formula reference to a cell of another sheet."""
    return f"'{sheet}'!{address}"


@record
class Text:
    """A text the template writer puts in a cell, with its style."""

    sheet: str
    row: int
    col: int
    text: str
    role: str  # title | header | label | note | guidance | caption | check_label


@record
class CheckRow:
    """One relation instance on the 校验 sheet."""

    equation: Equation
    row: int
    title: str
    blanks: tuple[str, ...]  # input cells whose blankness makes it undecidable
    mirror: tuple[str, str] | None = None  # a copy of the result next to the table
    place: str = ""  # where, in words a clerk knows: 表三“自然人”列


@record
class ContentRow:
    """One row of the 校验 sheet per table: its typed cells that are blank or hold text, decimals in a
    count or a negative count (SUM skips text, so the relations alone cannot see them)."""

    sheet: str  # the table's sheet
    row: int
    cells: tuple[str, ...]  # input cell ids, each with a hidden helper cell in HELPER_COL
    helper_rows: tuple[int, ...]


@record
class Layout:
    """Where everything of a format sits in the workbook: cells, labels, checks, and the drawing plan."""

    format: str
    template_id: str
    spec_hash: str
    sheets: list[str]
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)
    meta: dict[str, tuple[str, str]] = field(default_factory=dict)
    narrative: dict[str, tuple[str, str]] = field(default_factory=dict)
    narrative_cells: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    anchors: list[tuple[str, str, str]] = field(default_factory=list)
    checks: dict[str, tuple[str, str]] = field(default_factory=dict)
    imbalances: dict[str, tuple[str, str]] = field(default_factory=dict)
    mirrors: dict[str, tuple[str, str]] = field(default_factory=dict)
    check_rows: list[CheckRow] = field(default_factory=list)
    summary: dict[str, tuple[str, str]] = field(default_factory=dict)  # errors / blanks counters
    content_rows: list[ContentRow] = field(default_factory=list)
    structure_row: int | None = None  # 校验 row: every sheet still under its own name
    values: dict[str, tuple[str, str]] = field(default_factory=dict)  # input cell → its VALUE_COL helper
    total_rows: list[tuple[int, list[tuple[str, int]]]] = field(default_factory=list)  # (row, [(total, helper row)])
    status: tuple[str, str] | None = None  # cover cell with the overall verdict
    # drawing plan
    texts: list[Text] = field(default_factory=list)
    merges: list[tuple[str, int, int, int, int]] = field(default_factory=list)
    widths: dict[str, dict[int, float]] = field(default_factory=dict)
    heights: dict[str, dict[int, float]] = field(default_factory=dict)
    repeat_rows: dict[str, tuple[int, int]] = field(default_factory=dict)
    landscape: set = field(default_factory=set)
    table_sheet: dict[str, str] = field(default_factory=dict)  # table id → sheet
    spec: Spec | None = field(default=None, repr=False, compare=False)  # the format this layout draws

    def address(self, cell: str) -> str:
        """``表三!D5`` — how a message points at a cell."""
        sheet, addr = self.cells[cell]
        return f"{sheet}!{addr}"

    def rc(self, cell: str) -> tuple[str, int, int]:
        sheet, addr = self.cells[cell]
        r, c = parse_a1(addr)
        return sheet, r, c

    def cell_map(self) -> list[tuple[str, str, str, int]]:
        """Rows of the metadata sheet's map: (id, sheet, address, input 1/0)."""
        spec = self.spec
        rows = [(cid, s, a, int(spec.cells[cid].input)) for cid, (s, a) in self.cells.items()]
        rows += [(f"meta.{k}", s, a, 1) for k, (s, a) in self.meta.items()]
        for k, parts in self.narrative_cells.items():
            rows += [(f"narrative.{k}" + (f"#{i + 1}" if i else ""), s, a, 1) for i, (s, a) in enumerate(parts)]
        rows += [(f"check.{inst}", s, a, 0) for inst, (s, a) in self.checks.items()]
        return rows


# ── building ───────────────────────────────────────────────────────────────────────────
class _Builder:
    def __init__(self, spec: Spec):
        self.spec = spec
        tables = list(spec.tables)
        self.table_sheets = {tid: f"表{spec.tables[tid]['number']}" for tid in tables}
        sheets = [COVER, *self.table_sheets.values(), NARRATIVE, CHECKS, META_SHEET]
        self.lay = Layout(spec.id, template_id_of(spec), spec.hash, sheets, table_sheet=dict(self.table_sheets),
                          spec=spec)
        self.check_rows_per_sheet: dict[str, int] = {}

    def text(self, sheet, row, col, text, role, anchor=False):
        self.lay.texts.append(Text(sheet, row, col, text, role))
        if anchor:
            self.lay.anchors.append((sheet, a1(row, col), text))

    def merge(self, sheet, r1, c1, r2, c2):
        if (r1, c1) != (r2, c2):
            self.lay.merges.append((sheet, r1, c1, r2, c2))

    def width(self, sheet, col, w):
        self.lay.widths.setdefault(sheet, {})[col] = w

    def height(self, sheet, row, h):
        self.lay.heights.setdefault(sheet, {})[row] = h

    # cover
    def cover(self):
        s, lay = COVER, self.lay
        self.text(s, 0, 0, "政府信息公开工作年度报告", "title")
        self.merge(s, 0, 0, 0, 3)
        self.text(s, 1, 0, f"报告格式：{self.spec.name}", "note")
        self.merge(s, 1, 0, 1, 3)
        lay.status = (s, a1(2, 0))  # the overall verdict of the 校验 sheet, on the first page
        self.merge(s, 2, 0, 2, 3)
        for i, (key, label) in enumerate(META_FIELDS):
            row = 3 + i
            self.text(s, row, 0, label, "label", anchor=True)
            lay.meta[key] = (s, a1(row, 1))
            self.merge(s, row, 1, row, 3)
        notes = [
            "填写说明：",
            "1. 白色单元格为填写区，灰色单元格为自动计算（公式），不能也无需填写。",
            "2. 数量填非负整数（2019 年格式“本年增/减”可填负数），金额单位为万元，可填小数。",
            "3. 未发生的事项填 0，不要留空：留空的单元格会使相关校验显示“未填完”。",
            f"4. 填完后查看“{CHECKS}”工作表：全部为“正确”方可报送；红色表示勾稽关系不成立。",
            f"5. 正文各部分在“{NARRATIVE}”工作表填写。",
        ]
        start = 3 + len(META_FIELDS) + 1
        for i, line in enumerate(notes):
            self.text(s, start + i, 0, line, "guidance")
            self.merge(s, start + i, 0, start + i, 3)
        self.width(s, 0, 14)
        for c in (1, 2, 3):
            self.width(s, c, 22)

    # tables
    def table(self, tid: str):
        t = self.spec.tables[tid]
        sheet = self.table_sheets[tid]
        heading = next((sec.heading for sec in self.spec.sections if sec.table == tid),
                       f"{t['number']}、{t['title']}")
        getattr(self, f"_{t['kind']}")(tid, t, sheet, heading)

    def _draw(self, tid: str, sheet: str, top: int):
        """The table's merged grid (``word.layout.table_grid``, the one grid every writer and reader
        shares) drawn from row ``top``: labels with their anchors, merges, the value cells' places."""
        from ..word.layout import table_grid
        grid = table_grid(self.spec.id, tid)
        for g in grid.cells:
            r, c = top + g.row, g.col
            if g.cell:
                self.lay.cells[g.cell] = (sheet, a1(r, c))
            else:
                self.text(sheet, r, c, g.text, g.role, anchor=bool(g.text))
            self.merge(sheet, r, c, r + g.rowspan - 1, c + g.colspan - 1)
        return grid

    def _blocks(self, tid, t, sheet, heading):
        width = 1 + max(len(b["columns"]) for b in t["blocks"])
        self.text(sheet, 0, 0, heading, "title")
        self.merge(sheet, 0, 0, 0, width - 1)
        grid = self._draw(tid, sheet, 1)
        row = 1 + grid.n_rows
        self.width(sheet, 0, 26)
        for c in range(1, width):
            self.width(sheet, c, 20)
        self.lay.repeat_rows[sheet] = (0, 0)
        self.check_rows_per_sheet[sheet] = row + 1
        self._check_width = getattr(self, "_check_width", {})
        self._check_width[sheet] = width

    def _grid(self, tid, t, sheet, heading):
        cols, rows = t["columns"], t["rows"]
        depth = max(len(r["labels"]) for r in rows)  # label columns
        c0 = depth
        ncol = len(cols)
        self.text(sheet, 0, 0, heading, "title")
        self.merge(sheet, 0, 0, 0, c0 + ncol - 1)
        h0 = 1
        grid = self._draw(tid, sheet, h0)
        first = h0 + grid.header_rows
        for i, r in enumerate(rows):
            longest = max(len(x) for x in r["labels"])
            if longest > 22:
                self.height(sheet, first + i, 30 if longest <= 44 else 45)
        widths = [14, 12, 34] if depth == 3 else [30] * depth
        for c in range(depth):
            self.width(sheet, c, widths[c] if c < len(widths) else 14)
        for j in range(ncol):
            self.width(sheet, c0 + j, 10)
        self.height(sheet, h0, 42)
        self.lay.repeat_rows[sheet] = (0, h0 + 2)
        self.lay.landscape.add(sheet)  # 表三 is wide (label columns + 7 applicant columns): landscape, one page wide
        self.check_rows_per_sheet[sheet] = first + len(rows)
        self._grid_meta = getattr(self, "_grid_meta", {})
        self._grid_meta[sheet] = (c0, ncol)

    def _groups(self, tid, t, sheet, heading):
        groups, cols = t["groups"], t["columns"]
        depth = max(len(g["labels"]) for g in groups)
        ncol = len(cols)
        total = len(groups) * ncol
        self.text(sheet, 0, 0, heading, "title")
        self.merge(sheet, 0, 0, 0, total - 1)
        self._draw(tid, sheet, 1)
        hr = 1 + depth
        for c in range(total):
            self.width(sheet, c, 9)
        self.height(sheet, hr, 30)
        self.lay.repeat_rows[sheet] = (0, hr)
        self.lay.landscape.add(sheet)
        self.check_rows_per_sheet[sheet] = hr + 3
        self._check_width = getattr(self, "_check_width", {})
        self._check_width[sheet] = total

    # narrative
    def narrative(self):
        s = NARRATIVE
        self.text(s, 0, 0, "正文（各部分文字，生成 Word 报告时使用）", "title")
        self.merge(s, 0, 0, 0, 1)
        row = 2
        for sec in self.spec.sections:
            if not sec.key:
                continue
            heading = sec.heading or "开头段落"
            self.text(s, row, 0, heading, "caption", anchor=True)
            self.merge(s, row, 0, row, 1)
            row += 1
            guidance = sec.guidance
            if sec.parts:
                guidance += "\n建议分部分撰写：" + "、".join(sec.parts)
            self.text(s, row, 0, "填写提示", "label")
            self.text(s, row, 1, guidance, "guidance")
            self.height(s, row, 48 if sec.parts else 32)
            row += 1
            parts = []
            for i in range(NARRATIVE_PARTS):
                self.text(s, row, 0, "正文" if i == 0 else "正文（续）", "label")
                parts.append((s, a1(row, 1)))
                self.height(s, row, 260 if i == 0 else 18)
                row += 1
            self.lay.narrative[sec.key] = parts[0]
            self.lay.narrative_cells[sec.key] = parts
            row += 1
        self.width(s, 0, 12)
        self.width(s, 1, 100)

    # checks
    def checks(self):
        spec, lay, s = self.spec, self.lay, CHECKS
        self.text(s, 0, 0, "勾稽关系校验（自动计算，无需填写）", "title")
        self.merge(s, 0, 0, 0, 4)
        self.text(s, 1, 0, "错误数", "label")
        lay.summary["errors"] = (s, "B2")
        self.text(s, 1, 2, "未填完数", "label")
        lay.summary["blanks"] = (s, "D2")
        for j, h in enumerate(("位置", "勾稽关系", "结果", "差额（左边−右边）", "涉及单元格")):
            self.text(s, 2, j, h, "header", anchor=True)
        row = 3
        mirror_rows: dict[tuple[str, str], int] = {}
        list_rows: dict[str, int] = {}
        for eq in spec.equations:
            if eq.rule.scope != "report":
                continue
            title = eq.rule.title + "".join(f"［{label}］" for _, label in eq.labels)
            cr = CheckRow(eq, row, title, tuple(_input_closure(spec, eq.cells)), place=self._place(eq))
            lay.checks[eq.instance] = (s, a1(row, 2))
            lay.imbalances[eq.instance] = (s, a1(row, 3))
            if not eq.defines:
                cr.mirror = self._mirror(eq, title, mirror_rows, list_rows)
                if cr.mirror:
                    lay.mirrors[eq.instance] = cr.mirror
            lay.check_rows.append(cr)
            row += 1
        # typed cells: one row per table, fed by hidden per-cell flags
        helper = 3
        for tid, sheet in self.table_sheets.items():
            cells = tuple(c for c in spec.input_cells if c.startswith(f"{tid}."))
            if not cells:
                continue
            lay.content_rows.append(ContentRow(sheet, row, cells, tuple(range(helper, helper + len(cells)))))
            for i, c in enumerate(cells):
                lay.values[c] = (s, a1(helper + i, VALUE_COL))
            helper += len(cells)
            row += 1
        flag = 3  # totals whose stored value is not what their formula gives (a formula typed over)
        for tid, sheet in self.table_sheets.items():
            totals = [c for c in spec.derived_order if c.startswith(f"{tid}.")]
            if totals:
                lay.total_rows.append((row, [(c, flag + i) for i, c in enumerate(totals)]))
                flag += len(totals)
                row += 1
        lay.structure_row = row
        for c, w in enumerate((24, 56, 18, 16, 36)):  # 结果 holds BROKEN in two lines
            self.width(s, c, w)
        self.lay.repeat_rows[s] = (2, 2)

    def _place(self, eq: Equation) -> str:
        """表三“自然人”列 / 表三“（一）予以公开”行: where a relation sits, as the clerk sees the table."""
        sheet = next((self.lay.cells[c][0] for c in eq.cells if c in self.lay.cells), "")
        words = {"col": "列", "row": "行"}
        return sheet + "".join(f"“{label}”{words.get(kind, '')}" for kind, label in eq.labels)

    def _mirror(self, eq: Equation, title, mirror_rows, list_rows):
        """A copy of a non-definitional check next to its table (red when it fails)."""
        places = {self.lay.cells[c] for c in eq.cells if c in self.lay.cells}
        sheets = {p[0] for p in places}
        if len(sheets) != 1:
            return None
        sheet = sheets.pop()
        cols = {parse_a1(a)[1] for _, a in places}
        grid = getattr(self, "_grid_meta", {}).get(sheet)
        if grid and len(cols) == 1:  # one check row under the table, a result per column
            key = (sheet, eq.rule.id)
            if key not in mirror_rows:
                r = self.check_rows_per_sheet[sheet]
                self.check_rows_per_sheet[sheet] = r + 1
                mirror_rows[key] = r
                self.text(sheet, r, 0, f"校验：{eq.rule.title}", "check_label")
                self.merge(sheet, r, 0, r, grid[0] - 1)
                self.height(sheet, r, 30)
            return sheet, a1(mirror_rows[key], cols.pop())
        width = self._check_width.get(sheet) if hasattr(self, "_check_width") else None
        if not width:
            return None
        r = self.check_rows_per_sheet[sheet]
        self.check_rows_per_sheet[sheet] = r + 1
        self.text(sheet, r, 0, f"校验：{title}", "check_label")
        self.merge(sheet, r, 0, r, width - 2)
        return sheet, a1(r, width - 1)


def _input_closure(spec: Spec, cells) -> list[str]:
    """The input cells a relation finally depends on (derived cells expanded)."""
    out: dict[str, None] = {}

    def visit(c):
        if c == CONSTANT or c not in spec.cells:
            return
        if c in spec.derivations:
            for t in spec.derivations[c].rhs:
                visit(t.cell)
        else:
            out[c] = None

    for c in cells:
        visit(c)
    return list(out)


def template_id_of(spec: Spec) -> str:
    return f"gxnb-xl/{spec.id}/{spec.hash}"


@lru_cache(maxsize=None)
def _layout_of(format_id: str, spec_hash: str) -> Layout:
    from .. import compiled
    from ..spec import load_spec
    spec = load_spec(format_id)
    lay = compiled.layout(spec)  # the compiled format's, when the spec came from it
    if lay is None:
        lay = build(spec)
        compiled.built_layout(lay)
    return lay


def build(spec: Spec) -> Layout:
    """The layout of ``spec`` drawn afresh (``layout_of`` is the cached one)."""
    b = _Builder(spec)
    b.cover()
    for tid in spec.tables:
        b.table(tid)
    b.narrative()
    b.checks()
    return b.lay


def layout_of(spec: Spec | str) -> Layout:
    """The layout of a format's workbook (cached; treat the result as read-only)."""
    if isinstance(spec, str):
        from ..spec import load_spec
        spec = load_spec(spec)
    return _layout_of(spec.id, spec.hash)
