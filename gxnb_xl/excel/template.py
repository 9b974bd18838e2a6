"""Write the official template (blank or pre-filled) with XlsxWriter.

Everything is drawn from ``layout_of(spec)``: labels and merges from the format data, totals as
formulas with cached results (previews that never recalculate still show them), check cells
that say 正确 / 错误 / 未填完, conditional fills, data validation with Chinese input messages,
sheet protection with only the input cells unlocked and workbook structure protection.

Only WPS-safe features: SUM, IF, ROUND, arithmetic and comparisons; ``cellIs``/``expression``
conditional formats with a fill; whole/decimal validation on the same sheet (plus an inline
list for 层级); no macros unless ``xlsm=True`` is asked for; no dynamic arrays, no x14.
"""
from __future__ import annotations

import io
import re
import unicodedata
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache
from itertools import zip_longest
from pathlib import Path

from .. import lazyre
from ..engine import evaluate
from ..record import field, record
from ..report import Report, ReportError, write_bytes_atomic
from ..spec import CONSTANT, Equation, Spec, load_spec
from .layout import (
    BLANK,
    BROKEN,
    CELL_LIMIT,
    CHECKS,
    COVER,
    FAIL,
    HELPER_COL,
    LEVEL_LABELS,
    META_SHEET,
    NA,
    NARRATIVE,
    NARRATIVE_PARTS,
    OK,
    TOTAL_COL,
    VALUE_COL,
    WARN,
    Layout,
    a1,
    layout_of,
)
from .layout import parse_a1 as _parse_a1

FIXED_CREATED = datetime(2021, 1, 1, tzinfo=timezone.utc)
REVIEW_SHEET = "审核报告"
FONT = "宋体"
RED, RED_LIGHT, ORANGE, YELLOW, GREY, HEAD = "#FF7C80", "#FFC7CE", "#FFD966", "#FFF2CC", "#E7E6E6", "#DDEBF7"


def generator_version() -> str:
    from .._version import __version__
    return __version__


# ── values the way a spreadsheet computes them ────────────────────────────────────────
def sheet_values(spec: Spec, values: dict) -> dict:
    """Inputs as given, every derived cell as the template's SUM formula computes it (blank = 0)."""
    out = {c: values.get(c) for c in spec.input_cells}
    for d in spec.derived_order:
        eq = spec.derivations[d]
        out[d] = sum(t.coef * (out.get(t.cell) or 0) for t in eq.rhs)
    return out


def level_applies(eq: Equation, level: str | None) -> bool:
    levels = eq.rule.raw.get("when_level")
    return not levels or level in levels


def check_status(eq: Equation, blanks, values: dict, level: str | None) -> tuple[str, object]:
    """(status text, imbalance or None) the check cell shows for these values."""
    if not level_applies(eq, level):
        return NA, None
    if any(values.get(c) is None for c in blanks):
        return BLANK, None
    lhs, rhs = evaluate(eq, values)
    ok = lhs == rhs if eq.op == "==" else lhs >= rhs if eq.op == ">=" else lhs <= rhs
    return (OK if ok else FAIL if eq.rule.severity == "error" else WARN), lhs - rhs


# a template names the same few hundred addresses thousands of times (runs, SUM ranges, helpers)
parse_a1 = lru_cache(maxsize=4096)(_parse_a1)


def _rc(layout: Layout, cell: str) -> tuple[str, int, int]:
    sheet, addr = layout.cells[cell]
    return (sheet, *parse_a1(addr))


# ── formulas ───────────────────────────────────────────────────────────────────────────
def _cell_ref(layout: Layout, cell: str, here: str) -> str:
    sheet, addr = layout.cells[cell]
    return addr if sheet == here else f"'{sheet}'!{addr}"


def _runs(layout: Layout, cells: list[str]):
    """Split cells into runs that are contiguous in one row or column of one sheet."""
    runs: list[list[str]] = []
    for c in cells:
        if runs:
            prev = runs[-1]
            s0, r0, c0 = _rc(layout, prev[-1])
            s1, r1, c1 = _rc(layout, c)
            if s0 == s1:
                step = (r1 - r0, c1 - c0)
                if step in ((1, 0), (0, 1)):
                    if len(prev) == 1:
                        prev.append(c)
                        continue
                    _, ra, ca = _rc(layout, prev[-2])
                    if (r0 - ra, c0 - ca) == step:
                        prev.append(c)
                        continue
        runs.append([c])
    return runs


def side_formula(layout: Layout, terms, here: str, guard: bool = False) -> str:
    """One side of a relation as a formula. ``guard``: single cells through N() — text typed in a number
    cell counts 0 there as in SUM, instead of #VALUE! (full-width digits) or a silent conversion."""
    parts: list[str] = []
    ones = [t.cell for t in terms if t.coef == 1 and t.cell != CONSTANT]
    wrap = (lambda r: f"N({r})") if guard else (lambda r: r)
    for run in _runs(layout, ones):
        if len(run) >= 3:
            first = _cell_ref(layout, run[0], here)
            parts.append(f"SUM({first}:{layout.cells[run[-1]][1]})")
        else:
            parts += [wrap(_cell_ref(layout, c, here)) for c in run]
    expr = "+".join(parts)
    for t in terms:
        if t.coef == 1 and t.cell != CONSTANT:
            continue
        if t.cell == CONSTANT:
            term = str(abs(t.coef))
        else:
            ref = wrap(_cell_ref(layout, t.cell, here))
            term = ref if abs(t.coef) == 1 else f"{abs(t.coef)}*{ref}"
        expr += ("-" if t.coef < 0 else "+" if expr else "") + term
    return expr or "0"


def derived_formula(spec: Spec, layout: Layout, cell: str) -> str:
    sheet = layout.cells[cell][0]
    return "=" + side_formula(layout, spec.derivations[cell].rhs, sheet)


def level_condition(layout: Layout, eq: Equation) -> str | None:
    levels = eq.rule.raw.get("when_level")
    if not levels:
        return None
    s, addr = layout.meta["level"]
    ref = f"'{s}'!{addr}"
    names = []
    for code in levels:
        names += [code, LEVEL_LABELS.get(code, code)]
    return "+".join(f'({ref}="{n}")' for n in dict.fromkeys(names))


def expand_inputs(spec: Spec, terms) -> list:
    """A side of a relation over typed cells only: totals replaced by what they sum (as gxnb check does,
    which recomputes totals from the typed cells and never trusts stored ones)."""
    coefs: dict[str, int] = {}

    def visit(cell, coef):
        if cell in spec.derivations:
            for t in spec.derivations[cell].rhs:
                visit(t.cell, coef * t.coef)
        else:
            coefs[cell] = coefs.get(cell, 0) + coef

    for t in terms:
        visit(t.cell, t.coef)
    from ..spec import Term
    return [Term(k, c) for c, k in coefs.items() if k]


def value_side(layout: Layout, terms) -> str:
    """A side as a formula over the hidden VALUE_COL helpers (contiguous runs become SUM ranges)."""
    parts: list[str] = []
    ones = sorted((parse_a1(layout.values[t.cell][1])[0], t.cell) for t in terms
                  if t.coef == 1 and t.cell in layout.values)
    run: list[int] = []
    for r, _ in ones + [(None, None)]:
        if run and (r is None or r != run[-1] + 1):
            parts.append(f"SUM({a1(run[0], VALUE_COL)}:{a1(run[-1], VALUE_COL)})" if len(run) > 1
                         else a1(run[0], VALUE_COL))
            run = []
        if r is not None:
            run.append(r)
    expr = "+".join(parts)
    for t in terms:
        if t.coef == 1 and t.cell in layout.values:
            continue
        term = str(abs(t.coef)) if t.cell == CONSTANT else (
            layout.values[t.cell][1] if abs(t.coef) == 1 else f"{abs(t.coef)}*{layout.values[t.cell][1]}")
        expr += ("-" if t.coef < 0 else "+" if expr else "") + term
    return expr or "0"


def value_formula(ref: str) -> str:
    """The number gxnb check reads from a typed cell: numbers as they are, text numbers (half- or
    full-width, padded with spaces) by value, anything else 0. ASC/TRIM/VALUE: Excel, WPS, LibreOffice."""
    return f"=IFERROR(IF(ISNUMBER({ref}),{ref},VALUE(TRIM(ASC({ref})))),0)"


def value_sides(spec: Spec, layout: Layout, eq: Equation) -> tuple[str, str]:
    """Both sides of a relation over the typed cells' VALUE_COL helpers."""
    return value_side(layout, expand_inputs(spec, eq.lhs)), value_side(layout, expand_inputs(spec, eq.rhs))


def check_formula(spec: Spec, layout: Layout, eq: Equation, blanks, sides: tuple[str, str] | None = None) -> str:
    """正确/错误/请核实/未填完/不适用 — never an error value: a broken reference (a deleted row) shows BROKEN.
    Both sides are computed from the typed cells as gxnb check reads them (text numbers included)."""
    here = CHECKS
    lhs, rhs = sides or value_sides(spec, layout, eq)
    amounts = any(spec.cells[c].type == "amount" for c in eq.cells if c in spec.cells)
    op = "=" if eq.op == "==" else eq.op
    test = f"ROUND(({lhs})-({rhs}),6){op}0" if amounts else f"({lhs}){op}({rhs})"
    bad = FAIL if eq.rule.severity == "error" else WARN
    out = f'IF({test},"{OK}","{bad}")'
    if blanks:
        # +0 makes a number of even a single boolean: Excel and Gnumeric rank FALSE above every number
        blank = "+".join(f'ISBLANK({_cell_ref(layout, c, here)})' for c in blanks)
        out = f'IF({blank}+0>0,"{BLANK}",{out})'
    cond = level_condition(layout, eq)
    if cond:
        out = f'IF({cond}=0,"{NA}",{out})'
    return f'=IFERROR({out},"{BROKEN}")'


def imbalance_formula(layout: Layout, eq: Equation, status_addr: str, sides: tuple[str, str] | None = None) -> str:
    lhs, rhs = sides or value_sides(layout.spec, layout, eq)
    return (f'=IFERROR(IF(OR({status_addr}="{BLANK}",{status_addr}="{NA}",{status_addr}="{BROKEN}"),"",'
            f'({lhs})-({rhs})),"")')


def content_flag_formula(ref: str, cell_type: str) -> str:
    """1 when a typed cell is blank or not a valid number of its type (text, a decimal count, a negative
    count), else 0; 1 as well when the reference broke. ISBLANK/ISNUMBER/INT: Excel, WPS, LibreOffice."""
    bad = {"count": f"OR({ref}<0,{ref}<>INT({ref}))", "signed": f"{ref}<>INT({ref})", "amount": f"{ref}<0"}[cell_type]
    return f"=IFERROR(IF(ISBLANK({ref}),1,IF(ISNUMBER({ref}),IF({bad},1,0),1)),1)"


def content_flag(value, cell_type: str) -> int:
    """What ``content_flag_formula`` computes for a value a report holds (cached results)."""
    if value is None:
        return 1
    if cell_type == "count":
        return int(value < 0 or value != int(value))
    if cell_type == "signed":
        return int(value != int(value))
    return int(value < 0)


def structure_formula(layout: Layout) -> str:
    """正确 while every sheet still carries its own name (a renamed sheet makes INDIRECT fail)."""
    sheets = [s for s in layout.sheets if s not in (CHECKS, META_SHEET)]
    tests = ",".join(f'ISREF(INDIRECT("\'{s}\'!A1"))' for s in sheets)
    return f'=IFERROR(IF(AND({tests}),"{OK}","{FAIL}"),"{FAIL}")'


def cover_status_formula(errors: str, blanks: str) -> str:
    return (f'=IFERROR("校验："&IF({errors}>0,{errors}&" 处错误，见“{CHECKS}”表",'
            f'IF({blanks}>0,{blanks}&" 条勾稽关系未填完，见“{CHECKS}”表","全部正确")),"校验：{BROKEN}")')


def cover_status_text(errors: int, blanks: int) -> str:
    if errors:
        return f"校验：{errors} 处错误，见“{CHECKS}”表"
    if blanks:
        return f"校验：{blanks} 条勾稽关系未填完，见“{CHECKS}”表"
    return "校验：全部正确"


def cells_text(layout: Layout, cells) -> str:
    out = []
    for run in _runs(layout, [c for c in cells if c in layout.cells]):
        s, a = layout.cells[run[0]]
        out.append(f"{s}!{a}" + (f":{layout.cells[run[-1]][1]}" if len(run) > 1 else ""))
    return "、".join(out)


# ── text ───────────────────────────────────────────────────────────────────────────────
def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def display_width(s: str) -> int:
    """Width in columns: CJK (East Asian wide/fullwidth) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def split_text(text: str, limit: int = CELL_LIMIT) -> list[str]:
    """Split into pieces of at most ``limit`` UTF-16 units (never inside a character)."""
    pieces, cur, n = [], [], 0
    for ch in text:
        w = 2 if ord(ch) > 0xFFFF else 1
        if n + w > limit:
            pieces.append("".join(cur))
            cur, n = [], 0
        cur.append(ch)
        n += w
    if cur or not pieces:
        pieces.append("".join(cur))
    return pieces


def _number(v):
    if isinstance(v, Decimal):
        return float(v)
    return v


# ── the workbook ──────────────────────────────────────────────────────────────────────
class _Formats:
    def __init__(self, wb):
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
        box = {**base, "border": 1, "text_wrap": True}

        def f(*dicts, **kw):
            props = {}
            for d in dicts:
                props.update(d)
            props.update(kw)
            return wb.add_format(props)
        self.title = f(base, bold=True, font_size=14, align="center")
        self.header = f(box, bold=True, align="center", bg_color=HEAD)
        self.caption = f(box, bold=True, align="left", bg_color=HEAD)
        self.label = f(box, align="left")
        self.note = f(box, align="left", font_size=9)
        self.guidance = f(base, text_wrap=True, italic=True, font_color="#595959", align="left")
        self.check_label = f(box, align="right", font_color="#595959", bg_color=GREY)
        self.check = f(box, align="center", bg_color=GREY, locked=True)
        self.computed = f(box, align="right", bg_color=GREY, num_format="0", locked=True)
        self.computed_amount = f(box, align="right", bg_color=GREY, locked=True)
        self.text_in = f(box, align="left", valign="top", locked=False, num_format="@")
        self.meta_in = f(box, align="left", locked=False, num_format="@")
        self.year_in = f(box, align="left", locked=False, num_format="0")
        self.inputs = {
            "count": f(box, align="right", num_format="0", locked=False),
            "signed": f(box, align="right", num_format="+0;-0;0", locked=False),
            "amount": f(box, align="right", num_format="0.######", locked=False),
        }
        self.flagged = {k: f(box, align="right", num_format=v, locked=False, bg_color=RED)
                        for k, v in (("count", "0"), ("signed", "+0;-0;0"), ("amount", "0.######"))}
        self.flagged_computed = f(box, align="right", num_format="0", locked=True, bg_color=RED)
        self.plain = f(**base)
        self.plain_wrap = f(base, text_wrap=True, valign="top")
        self.review_head = f(box, bold=True, bg_color=HEAD)
        self.status = f(base, bold=True, font_size=12, align="left")
        self.cf_red = wb.add_format({"bg_color": RED, "font_color": "#9C0006", "bold": True})
        self.cf_orange = wb.add_format({"bg_color": ORANGE})
        self.cf_yellow = wb.add_format({"bg_color": YELLOW})
        self.cf_mark = wb.add_format({"bg_color": RED_LIGHT})
        self.cf_mark_warn = wb.add_format({"bg_color": YELLOW})


_VALIDATION = {
    "count": {"validate": "integer", "criteria": ">=", "value": 0,
              "input_title": "填写整数", "input_message": "请填写非负整数（件数）。未发生填 0，不要留空。",
              "error_title": "输入有误", "error_message": "此处只能填写大于或等于 0 的整数。"},
    "signed": {"validate": "integer", "criteria": "between", "minimum": -999999999, "maximum": 999999999,
               "input_title": "填写整数（可为负）", "input_message": "本年增/减：填写整数，减少填负数，如 -3。",
               "error_title": "输入有误", "error_message": "此处只能填写整数（减少填负数）。"},
    "amount": {"validate": "decimal", "criteria": ">=", "value": 0,
               "input_title": "填写金额（万元）", "input_message": "单位：万元，可填小数，如 0.35。未收取填 0。",
               "error_title": "输入有误", "error_message": "此处只能填写大于或等于 0 的数字（单位：万元）。"},
}


def build_workbook_bytes(format_id: str = "2021", report: Report | None = None, *, unit=None, year=None, level=None,
                         password=None, xlsm=False, vba_project=None, buttons=None, annotations=None,
                         review_rows=None, review_title: str = REVIEW_SHEET, review_draw=None) -> bytes:
    spec = load_spec(report.format if report is not None else format_id)
    layout = layout_of(spec)
    values = dict(report.values) if report is not None else {}
    narrative = dict(report.narrative) if report is not None else {}
    extra = dict(report.extra) if report is not None else {}
    meta = {"unit": unit if unit is not None else report.unit if report else None,
            "year": year if year is not None else report.year if report else None,
            "level": level if level is not None else report.level if report else None,
            "contact": extra.get("contact"), "phone": extra.get("phone"), "date": extra.get("date")}
    annotations = annotations or {}
    _refuse_oversized(meta, narrative)

    buf = io.BytesIO()
    wb = _workbook_class()(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    filled = report is not None or any(v is not None for v in meta.values())
    wb.set_properties({"title": "政府信息公开工作年度报告", "subject": spec.name, "author": "gxnb-xl",
                       "comments": "由 gxnb-xl 生成；白色单元格填写，灰色单元格为公式。",
                       "created": datetime.now(timezone.utc) if filled else FIXED_CREATED})
    wb.set_custom_property("gxnb_template_id", layout.template_id)
    wb.set_custom_property("gxnb_format", spec.id)
    wb.set_custom_property("gxnb_spec_hash", spec.hash)
    wb.set_custom_property("gxnb_layout_version", "1")
    wb.set_calc_mode("auto")
    if xlsm:
        if not vba_project:
            raise ReportError("生成启用宏的工作簿需要 vbaProject.bin", "an .xlsm needs a vbaProject.bin")
        wb.add_vba_project(str(vba_project))
    fm = _Formats(wb)
    sheet_names = [s for s in layout.sheets if s != META_SHEET]
    if review_rows:
        sheet_names.append(review_title)
    sheet_names.append(META_SHEET)
    ws = {name: wb.add_worksheet(name) for name in sheet_names}
    b = _Book(wb, fm, ws, spec, layout, values, narrative, meta, annotations, sheet_values(spec, values))

    _write_static(b)
    _write_cover(b, buttons if xlsm else None)
    _write_tables(b)
    _write_narrative(b)
    _write_checks(b)
    if review_rows:
        _write_review(b, review_rows, review_title, review_draw)
    _write_meta(b)
    _print_and_protect(b, password, review_title if review_rows else None)
    (ws[review_title] if review_rows else ws[COVER]).activate()
    wb.protection = f"<workbookProtection {_protection_attrs(password, ws[COVER])}/>"
    wb.close()
    if not wb.protects_while_saving:  # an XlsxWriter without the step: add it to the saved XML
        return _protect_structure(buf.getvalue(), wb.protection)
    return buf.getvalue()


@record
class _Book:
    """What every sheet writer needs: the workbook, its formats and sheets, the format and the data."""

    wb: object
    fm: object
    ws: dict
    spec: Spec
    layout: Layout
    values: dict
    narrative: dict
    meta: dict
    annotations: dict
    computed: dict  # values with totals computed: the formulas' cached results
    first_check: int | None = None  # rows of the 校验 sheet written so far
    last_check: int | None = None
    content_errors: int = 0
    mirrors: dict = field(default_factory=dict)  # sheet → addresses of the status mirrored next to a table

    def checked(self, row: int) -> None:
        self.first_check = row if self.first_check is None else self.first_check
        self.last_check = row

def _write_static(b: _Book) -> None:
    """Texts, merges, column widths and row heights: the layout as drawn."""
    layout, fm, ws = b.layout, b.fm, b.ws
    merged = {(m[0], m[1], m[2]): m for m in layout.merges}
    styles = {"title": fm.title, "header": fm.header, "caption": fm.caption, "label": fm.label, "note": fm.note,
              "guidance": fm.guidance, "check_label": fm.check_label}
    for t in layout.texts:
        style = styles[t.role]
        m = merged.pop((t.sheet, t.row, t.col), None)
        if m:
            ws[t.sheet].merge_range(m[1], m[2], m[3], m[4], "", style)
        ws[t.sheet].write_string(t.row, t.col, t.text, style)
    status_at = (layout.status[0], *parse_a1(layout.status[1])) if layout.status else None
    for sheet, r1, c1, r2, c2 in merged.values():  # merges without text (input areas, the cover's verdict)
        style = fm.status if (sheet, r1, c1) == status_at else fm.meta_in if sheet == COVER else fm.label
        ws[sheet].merge_range(r1, c1, r2, c2, "", style)
    for sheet, widths in layout.widths.items():
        for c, w in widths.items():
            ws[sheet].set_column(c, c, w)
    for sheet, heights in layout.heights.items():
        for r, h in heights.items():
            ws[sheet].set_row(r, h)


def _write_cover(b: _Book, buttons) -> None:
    """封面: unit, year (validated), level (a list), contact; the Excel buttons of an .xlsm."""
    layout, fm, ws = b.layout, b.fm, b.ws
    meta = b.meta
    cover = ws[COVER]
    for key, (s, addr) in layout.meta.items():
        r, c = parse_a1(addr)
        v = meta.get(key)
        if key == "year":
            if v is None or v == "":
                cover.write_blank(r, c, None, fm.year_in)
            elif isinstance(v, int) or str(v).isdigit():
                cover.write_number(r, c, int(v), fm.year_in)
            else:
                cover.write_string(r, c, str(v), fm.year_in)
            cover.data_validation(r, c, r, c, {"validate": "integer", "criteria": "between", "minimum": 2000,
                                               "maximum": 2100, "input_title": "数据年度",
                                               "input_message": "统计数据所属年度，如 2024（不是发布年度）。",
                                               "error_title": "输入有误", "error_message": "请填写四位数年度，如 2024。"})
            continue
        if key == "level":
            v = LEVEL_LABELS.get(v, v) if v else v
            cover.data_validation(r, c, r, c, {"validate": "list", "source": list(LEVEL_LABELS.values()),
                                               "input_title": "机关层级", "ignore_blank": True,
                                               "input_message": "从下拉列表选择。乡镇、县级政府及部门无权制定规章。",
                                               "error_type": "warning"})
        if v is None or v == "":
            cover.write_blank(r, c, None, fm.meta_in)
        else:
            cover.write_string(r, c, str(v), fm.meta_in)
    if buttons:
        for i, (caption, macro) in enumerate(buttons):
            cover.insert_button(3 + 2 * i, 5, {"macro": macro, "caption": caption, "width": 160, "height": 30})


def _write_tables(b: _Book) -> None:
    """表二–表四: inputs as typed (validated), totals as formulas with cached results, annotations."""
    spec, layout, fm, ws = b.spec, b.layout, b.fm, b.ws
    values, annotations, computed = b.values, b.annotations, b.computed
    by_type: dict[tuple[str, str], list[str]] = {}
    for cid, cell in spec.cells.items():
        sheet, addr = layout.cells[cid]
        r, c = parse_a1(addr)
        w = ws[sheet]
        flagged = cid in annotations
        if cell.input:
            v = values.get(cid)
            style = fm.flagged[cell.type] if flagged else fm.inputs[cell.type]
            if v is None:
                w.write_blank(r, c, None, style)
            else:
                w.write_number(r, c, _number(v), style)
            by_type.setdefault((sheet, cell.type), []).append(addr)
        else:
            style = fm.flagged_computed if flagged else (fm.computed_amount if cell.type == "amount" else fm.computed)
            w.write_formula(r, c, derived_formula(spec, layout, cid), style, _number(computed[cid]))
        if flagged:
            message, suggested = annotations[cid]
            note = message + (f"\n建议值：{suggested}" if suggested is not None else "")
            w.write_comment(r, c, note, {"author": "gxnb", "x_scale": 2.5, "y_scale": 2.5})
    for (sheet, ctype), addrs in by_type.items():
        r, c = parse_a1(addrs[0])
        ws[sheet].data_validation(r, c, r, c, {**_VALIDATION[ctype], "multi_range": " ".join(addrs)})


def _write_narrative(b: _Book) -> None:
    """正文: each section split over as many cells as a cell can hold."""
    layout, fm, narrative = b.layout, b.fm, b.narrative
    nar = b.ws[NARRATIVE]
    for key, parts in layout.narrative_cells.items():
        pieces = split_text(narrative.get(key) or "") if narrative.get(key) else []
        for i, (s, addr) in enumerate(parts):
            r, c = parse_a1(addr)
            if i < len(pieces) and pieces[i]:
                nar.write_string(r, c, pieces[i], fm.text_in)
            else:
                nar.write_blank(r, c, None, fm.text_in)


def _write_checks(b: _Book) -> None:
    """校验: one row per relation, per table's typed cells, per table's totals, the sheet names; the
    summary the cover shows."""
    _check_relations(b)
    _check_contents(b)
    _check_totals(b)
    _check_structure(b)
    _check_summary(b)


def _check_relations(b: _Book) -> None:
    spec, layout, fm, ws = b.spec, b.layout, b.fm, b.ws
    chk = ws[CHECKS]
    level_code = b.meta.get("level")
    for cr in layout.check_rows:
        eq = cr.equation
        r = cr.row
        b.checked(r)
        status, imbalance = check_status(eq, cr.blanks, b.computed, level_code)
        status_addr = a1(r, 2)
        chk.write_string(r, 0, cr.place, fm.label)
        chk.write_string(r, 1, cr.title, fm.label)
        where = cells_text(layout, eq.cells)
        chk.set_row(r, _wrapped_height((cr.place, 24), (cr.title, 56), (where, 36),
                                       (BROKEN, 18)))  # room for the longest status, shown when references break
        sides = value_sides(spec, layout, eq)
        chk.write_formula(r, 2, check_formula(spec, layout, eq, cr.blanks, sides), fm.check, status)
        chk.write_formula(r, 3, imbalance_formula(layout, eq, status_addr, sides), fm.check,
                          "" if imbalance is None else _number(imbalance))
        chk.write_string(r, 4, where, fm.label)
        chk.write_formula(r, 5, f'=IF(OR({status_addr}="{FAIL}",{status_addr}="{BROKEN}"),1,0)', fm.plain,
                          int(status == FAIL))
        chk.write_formula(r, 6, f'=IF({status_addr}="{BLANK}",1,0)', fm.plain, int(status == BLANK))
        if cr.mirror:
            ms, maddr = cr.mirror
            mr, mc = parse_a1(maddr)
            ws[ms].write_formula(mr, mc, f"='{CHECKS}'!{status_addr}", fm.check, status)
            b.mirrors.setdefault(ms, []).append(maddr)
            involved = [layout.cells[c][1] for c in eq.cells if c in layout.cells and layout.cells[c][0] == ms]
            if involved:
                r0, c0 = parse_a1(involved[0])
                abs_ref = a1(mr, mc, absolute=True)
                bad = FAIL if eq.rule.severity == "error" else WARN
                ws[ms].conditional_format(r0, c0, r0, c0, {
                    "type": "formula", "criteria": f'={abs_ref}="{bad}"', "multi_range": " ".join(involved),
                    "format": fm.cf_mark if bad == FAIL else fm.cf_mark_warn})


def _check_contents(b: _Book) -> None:
    """Typed cells of each table: blank, text, decimals, negatives (marked red in the table too)."""
    spec, layout, fm, ws = b.spec, b.layout, b.fm, b.ws
    chk = ws[CHECKS]
    for row in layout.content_rows:  # typed cells of each table: blank, text, decimals, negatives
        flags = 0
        for cid, hr in zip(row.cells, row.helper_rows):
            ctype = spec.cells[cid].type
            flag = content_flag(b.values.get(cid), ctype)
            flags += flag
            ref = _cell_ref(layout, cid, CHECKS)
            chk.write_formula(hr, HELPER_COL, content_flag_formula(ref, ctype), fm.plain, flag)
            v = b.values.get(cid)
            chk.write_formula(hr, VALUE_COL, value_formula(ref), fm.plain, 0 if v is None else _number(v))
        helpers = f"{a1(row.helper_rows[0], HELPER_COL)}:{a1(row.helper_rows[-1], HELPER_COL)}"
        b.content_errors += int(bool(flags))
        _status_row(b, row.row, f"{row.sheet}填写区",
                    f"{row.sheet}填写区每个单元格已填写且为有效数字（不是文本、件数不含小数和负数）",
                    (f'=IF(SUM({helpers})>0,"{FAIL}","{OK}")', FAIL if flags else OK),
                    (f'=IF(SUM({helpers})>0,SUM({helpers})&" 格未填写或不是有效数字","")',
                     f"{flags} 格未填写或不是有效数字" if flags else ""),
                    "填写有误的单元格在表中以红色标出")
        _mark_bad_inputs(ws[row.sheet], fm, [(layout.cells[c][1], spec.cells[c].type) for c in row.cells])


def _check_totals(b: _Book) -> None:
    """A total's formula typed over with a number (the reader's D1)."""
    spec, layout, fm, ws = b.spec, b.layout, b.fm, b.ws
    chk = ws[CHECKS]
    for r, totals in layout.total_rows:
        sheet = layout.cells[totals[0][0]][0]
        for cid, hr in totals:
            ref = _cell_ref(layout, cid, CHECKS)
            formula = side_formula(layout, spec.derivations[cid].rhs, CHECKS, guard=True)
            tol = "0.000001" if spec.cells[cid].type == "amount" else "0"
            chk.write_formula(hr, TOTAL_COL, f"=IFERROR(IF(ABS(N({ref})-({formula}))>{tol},1,0),1)", fm.plain, 0)
        flags = f"{a1(totals[0][1], TOTAL_COL)}:{a1(totals[-1][1], TOTAL_COL)}"
        _status_row(b, r, f"{sheet}合计", f"{sheet}灰色合计单元格的公式未被改动（合计等于所加各格之和）",
                    (f'=IF(SUM({flags})>0,"{FAIL}","{OK}")', OK),
                    (f'=IF(SUM({flags})>0,SUM({flags})&" 个合计与公式不符","")', ""), "")


def _check_structure(b: _Book) -> None:
    """The sheets keep their names (a renamed sheet breaks every reference to it)."""
    layout = b.layout
    if layout.structure_row is not None:
        _status_row(b, layout.structure_row, "工作表名称",
                    "各工作表保持原名（封面、表二、表三、表四、正文），改名后程序和本表都无法按原名找到表格",
                    (structure_formula(layout), OK), None, "")


def _status_row(b: _Book, r: int, place: str, title: str, status: tuple, detail: tuple | None, note: str) -> None:
    """One row of the 校验 sheet that is not a relation: place, what is checked, the verdict formula and
    its cached value, the detail formula (or blank), a note; the hidden error/blank counters."""
    chk, fm = b.ws[CHECKS], b.fm
    chk.write_string(r, 0, place, fm.label)
    chk.write_string(r, 1, title, fm.label)
    chk.write_formula(r, 2, status[0], fm.check, status[1])
    if detail is None:
        chk.write_string(r, 3, "", fm.check)
    else:
        chk.write_formula(r, 3, detail[0], fm.check, detail[1])
    chk.write_string(r, 4, note, fm.label)
    chk.write_formula(r, 5, f'=IF({a1(r, 2)}="{FAIL}",1,0)', fm.plain, int(status[1] == FAIL))
    chk.write_formula(r, 6, "=0", fm.plain, 0)
    chk.set_row(r, 30)
    b.checked(r)


def _check_summary(b: _Book) -> None:
    """The counts of the 校验 sheet, the verdict on the cover, the colours."""
    layout, fm, ws = b.layout, b.fm, b.ws
    chk = ws[CHECKS]
    if b.first_check is None:
        return
    first_row, last_row = b.first_check, b.last_check
    s_err = parse_a1(layout.summary["errors"][1])
    s_blank = parse_a1(layout.summary["blanks"][1])
    statuses = [check_status(cr.equation, cr.blanks, b.computed, b.meta.get("level"))[0] for cr in layout.check_rows]
    n_errors = statuses.count(FAIL) + b.content_errors
    chk.write_formula(*s_err, f"=SUM({a1(first_row, 5)}:{a1(last_row, 5)})", fm.check, n_errors)
    chk.write_formula(*s_blank, f"=SUM({a1(first_row, 6)}:{a1(last_row, 6)})", fm.check, statuses.count(BLANK))
    chk.set_column(5, TOTAL_COL, None, None, {"hidden": True})
    _status_formats(chk, fm, f"{a1(first_row, 2)}:{a1(last_row, 2)}")
    sr, sc = parse_a1(layout.status[1])
    ws[COVER].write_formula(sr, sc, cover_status_formula(f"'{CHECKS}'!{layout.summary['errors'][1]}",
                                                         f"'{CHECKS}'!{layout.summary['blanks'][1]}"),
                            fm.status, cover_status_text(n_errors, statuses.count(BLANK)))
    ws[COVER].conditional_format(sr, sc, sr, sc, {"type": "formula", "criteria": f"='{CHECKS}'!$B$2>0",
                                                  "format": fm.cf_red})
    chk.conditional_format(*s_err, *s_err, {"type": "cell", "criteria": ">", "value": 0, "format": fm.cf_red})
    for ms, addrs in b.mirrors.items():
        _status_formats(ws[ms], fm, " ".join(addrs))


def _write_review(b: _Book, review_rows, review_title: str, review_draw) -> None:
    """审核报告: the findings as rows (``review_draw(workbook, sheet)`` draws a styled one: aggregate.sheet)."""
    if review_draw is not None:
        review_draw(b.wb, b.ws[review_title])
        return
    fm = b.fm
    rv = b.ws[review_title]
    for i, row in enumerate(review_rows):
        for j, text in enumerate(row):
            style = fm.review_head if i == 0 else fm.plain_wrap
            if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
                rv.write_number(i, j, _number(text), style)  # counts stay numbers (sortable, summable)
            else:
                rv.write_string(i, j, "" if text is None else str(text), style)
    # every column (rows may differ in length), Chinese characters counted double
    widths = [max([display_width("" if x is None else str(x)) for x in col] + [6])
              for col in zip_longest(*review_rows, fillvalue="")]
    for j, w in enumerate(widths):
        rv.set_column(j, j, min(max(w, 8), 80))
    rv.freeze_panes(1, 0)


def _write_meta(b: _Book) -> None:
    """_gxnb (hidden): template id, format, spec hash, generator version and the cell map."""
    spec, layout = b.spec, b.layout
    md = b.ws[META_SHEET]
    for i, (k, v) in enumerate((("template_id", layout.template_id), ("format", spec.id), ("spec_hash", spec.hash),
                                ("generator_version", generator_version()), ("layout_version", "1"))):
        md.write_string(i, 0, k)
        md.write_string(i, 1, v)
    start = 6
    for j, h in enumerate(("cell", "sheet", "address", "input")):
        md.write_string(start, j, h)
    for i, (cid, s, a, inp) in enumerate(layout.cell_map()):
        md.write_string(start + 1 + i, 0, cid)
        md.write_string(start + 1 + i, 1, s)
        md.write_string(start + 1 + i, 2, a)
        md.write_number(start + 1 + i, 3, inp)
    md.hide()


def _print_and_protect(b: _Book, password, review_title) -> None:
    """A4, fitted to the page width, the layout's landscape sheets and repeated rows; every sheet protected
    (the review sheet can still be filtered and sorted)."""
    for name, w in b.ws.items():
        w.set_paper(9)
        w.fit_to_pages(1, 0)
        w.center_horizontally()
        w.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        if name in b.layout.landscape:
            w.set_landscape()
        if name in b.layout.repeat_rows:
            w.repeat_rows(*b.layout.repeat_rows[name])
        if name != review_title:
            w.protect(password or "", {"format_columns": True, "format_rows": True})
        else:
            w.protect(password or "", {"format_columns": True, "format_rows": True, "autofilter": True,
                                        "sort": True})


def _wrapped_height(*texts_widths) -> float:
    """Row height (points) that shows every wrapped text whole: lines = display width / column width."""
    # a column of width w holds about w − 4 half-width characters of 11-point 宋体 per line (padding,
    # and wrapping happens at whole characters); measured on LibreOffice's PDF of the 校验 sheet
    lines = max(max(1, -(-display_width(t) // max(int(w) - 4, 1))) for t, w in texts_widths)
    return max(15.0, 15.0 * lines + 4)


def _mark_bad_inputs(w, fm, cells: list[tuple[str, str]]):
    """Typed cells holding text (or a decimal/negative count) turn red in the table itself."""
    by_type: dict[str, list[str]] = {}
    for addr, ctype in cells:
        by_type.setdefault(ctype, []).append(addr)
    for ctype, addrs in by_type.items():
        r, c = parse_a1(addrs[0])
        x = addrs[0]
        bad = {"count": f"OR({x}<0,{x}<>INT({x}))", "signed": f"{x}<>INT({x})", "amount": f"{x}<0"}[ctype]
        w.conditional_format(r, c, r, c, {"type": "formula", "multi_range": " ".join(addrs), "format": fm.cf_red,
                                          "criteria": f"=IFERROR(AND(NOT(ISBLANK({x})),IF(ISNUMBER({x}),{bad},TRUE)),FALSE)"})


def _status_formats(w, fm, multi_range: str):
    first = multi_range.split()[0].split(":")[0]
    r, c = parse_a1(first)
    for text, f in ((FAIL, fm.cf_red), (WARN, fm.cf_orange), (BLANK, fm.cf_yellow), (BROKEN, fm.cf_red)):
        w.conditional_format(r, c, r, c, {"type": "cell", "criteria": "==", "value": f'"{text}"', "format": f,
                                          "multi_range": multi_range})


def _refuse_oversized(meta: dict, narrative: dict):
    for key, v in meta.items():
        if isinstance(v, str) and utf16_len(v) > CELL_LIMIT:
            raise ReportError(f"封面“{key}”超过 {CELL_LIMIT} 个字符，无法写入单元格", f"cover field {key} exceeds {CELL_LIMIT} characters")
    for key, text in narrative.items():
        if text and len(split_text(text)) > NARRATIVE_PARTS:
            n = utf16_len(text)
            raise ReportError(f"正文“{key}”共 {n} 个字符，超过模板可容纳的 {NARRATIVE_PARTS * CELL_LIMIT} 个字符（每个单元格最多 {CELL_LIMIT} 个）。请精简后再生成，内容不会被截断。",
                              f"narrative {key} has {n} characters, more than the template holds ({NARRATIVE_PARTS * CELL_LIMIT}); nothing was truncated")


def _protection_attrs(password: str | None, any_sheet) -> str:
    attrs = 'lockStructure="1"'
    if password:
        attrs = f'workbookPassword="{any_sheet._encode_password(password)}" ' + attrs
    return attrs


def _protect_structure(data: bytes, element: str) -> bytes:
    """``element`` (<workbookProtection …/>) after <workbookPr/> of a saved workbook's xl/workbook.xml."""
    import zipfile
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = body.decode("utf-8")
                text, n = re.subn(r"(<workbookPr\b[^>]*/>)", lambda m: m.group(1) + element, text, count=1)
                if not n:
                    text = text.replace("<bookViews>", element + "<bookViews>", 1)
                body = text.encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()


# XlsxWriter prefixes newer Excel functions in a formula with ~30 regular expressions (~150 in
# conditional formats and validations, compiled on first use): a formula calling only the classic
# functions the template uses (WPS-safe) is left as it is, without them
CLASSIC = frozenset({"ABS", "AND", "ASC", "IF", "IFERROR", "INDIRECT", "INT", "ISBLANK", "ISNUMBER", "ISREF", "N",
                     "NOT", "OR", "ROUND", "SUM", "TRIM", "VALUE"})
# what makes XlsxWriter escape a shared string or mark its spaces (xmlwriter, utility): control
# characters, an _xHHHH_ look-alike, & < > (and "<r>" rich text), a space at either end
_SST_SPECIAL = lazyre.compile(r"[\x00-\x08\x0b-\x1f&<>]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_PLAIN_CALLS = frozenset({f"{name}(" for name in CLASSIC} | {"("})  # "(": a parenthesis that calls nothing
_CALLED = lazyre.compile(r"[^\s(),+\-*/&=<>:;'\"!]*\(")  # a name (or nothing) before "("


@lru_cache(maxsize=1)
def _workbook_class():
    """XlsxWriter's Workbook writing <workbookProtection/> right after <workbookPr/> of
    xl/workbook.xml (XlsxWriter has no API for it), with sheets whose formulas of ``CLASSIC``
    functions skip the prefixing and shared strings that need no escaping written without it.
    The same XML as XlsxWriter plus the protection element (tests/excel/test_template_writer.py)."""
    import xlsxwriter
    from xlsxwriter.packager import Packager
    from xlsxwriter.sharedstrings import SharedStrings
    from xlsxwriter.worksheet import Worksheet

    class Sheet(Worksheet):
        def _prepare_formula(self, formula, expand_future_functions=False):
            if "_xlfn." in formula or not _PLAIN_CALLS.issuperset(_CALLED.findall(formula)):
                return super()._prepare_formula(formula, expand_future_functions)
            if formula.startswith("{"):  # XlsxWriter's own first steps, as it takes them
                formula = formula[1:]
            if formula.startswith("="):
                formula = formula[1:]
            if formula.endswith("}"):
                formula = formula[:-1]
            return formula

    class Strings(SharedStrings):
        def _write_sst_strings(self):
            # a string without control characters, XML specials or edge spaces is written as it
            # is; any other through XlsxWriter's own escaping (3,000 files: 7,000 strings)
            write, slow = self.fh.write, _SST_SPECIAL.search
            for string in self.string_table.string_array:
                if slow(string):
                    self._write_si(string)
                else:
                    write(f"<si><t>{string}</t></si>")

    class Package(Packager):
        def _write_shared_strings_file(self):
            if not self.workbook.str_table.count:
                return
            sst = Strings()
            sst.string_table = self.workbook.str_table
            sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
            sst._assemble_xml_file()

    class Book(xlsxwriter.Workbook):
        worksheet_class = Sheet
        strings_class = Strings
        protection = ""  # the <workbookProtection/> element
        protects_while_saving = callable(getattr(xlsxwriter.Workbook, "_write_workbook_pr", None))

        def _write_workbook_pr(self):
            super()._write_workbook_pr()
            if self.protection:
                self.fh.write(self.protection)

        def _get_packager(self):
            return Package()
    return Book


def write_workbook(path, format_id: str = "2021", report: Report | None = None, *, unit=None, year=None, level=None,
                   password=None, xlsm=False, vba_project=None, buttons=None, annotations=None,
                   review_rows=None, review_title: str = REVIEW_SHEET, review_draw=None) -> Path:
    """Write the template (blank, or filled from ``report``) atomically to ``path``."""
    data = build_workbook_bytes(format_id, report, unit=unit, year=year, level=level, password=password, xlsm=xlsm,
                                vba_project=vba_project, buttons=buttons, annotations=annotations,
                                review_rows=review_rows, review_title=review_title, review_draw=review_draw)
    path = Path(path)
    write_bytes_atomic(path, data)
    return path
