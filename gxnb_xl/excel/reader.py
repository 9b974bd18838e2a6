"""Reading a filled workbook back — any engine, any mess, nothing trusted blindly.

python-calamine reads .xlsx/.xlsm/.xls/.ods/.xlsb quickly. We find the template through its
hidden ``_gxnb`` sheet (template id, format, spec hash); when that sheet is gone we recognise the
tables by their labels (``anchors``). Before reading a number we verify the labels around it: when
rows were inserted or cells moved we relocate by label and say so, and a cell whose position cannot
be established is reported, never read from the wrong place. Totals are recomputed from the inputs
(``Loaded.computed``); stored totals are kept only to be compared.

``sniff`` decides whether the bytes are a workbook at all; ``package`` reads what calamine does not
tell (formulas in input cells, error values, protection, the real extent of a sheet).
"""
from __future__ import annotations

import datetime
import io
import re
import unicodedata
from pathlib import Path

from ..findings import Finding
from ..loaded import Loaded
from ..report import CellProblem, Report
from ..spec import FORMAT_IDS, format_for_year, load_spec
from ..values import ABSURD_COUNT, ValueProblem, format_number, read_value
from .anchors import Locator, find_renamed, guess_format, norm, plan_of
from .layout import COVER, LEVEL_CODES, LEVEL_LABELS, META_SHEET, Layout, a1, layout_of, parse_a1
from .package import OdsFacts, Package, XlsFacts, meta_from_xml
from ..errors import NotTemplate
from .sniff import guarded, refuse, sniff

MAX_SHEET_CELLS = 2_000_000  # a sheet's used range (rows × columns) the reader agrees to materialise


MERGE_BUDGET = 200_000  # merged cells expanded into a lookup table, per sheet (the template has a few hundred)


class Sheet:
    """A sheet's cells addressable by zero-based (row, col) regardless of calamine's start offset."""

    def __init__(self, sheet):
        self.rows = sheet.to_python(skip_empty_area=False)
        self.r0, self.c0 = sheet.start if sheet.start else (0, 0)
        self._index = None
        self._sheet = sheet
        self._merged = None

    def get(self, r: int, c: int):
        r, c = r - self.r0, c - self.c0
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            v = self.rows[r][c]
            return None if v == "" else v
        return None

    def find(self, text: str) -> list[tuple[int, int]]:
        if self._index is None:
            self._index = {}
            for i, row in enumerate(self.rows):
                for j, v in enumerate(row):
                    if isinstance(v, str) and v:
                        self._index.setdefault(norm(v), []).append((i + self.r0, j + self.c0))
        return self._index.get(norm(text), [])

    def merge_boxes(self):
        """(position → merge box for small merges, list of the others). Expansion is capped in total
        (MERGE_BUDGET cells): a file with thousands of large merges cannot exhaust memory; merges past
        the budget are kept as boxes and tested one by one, only for cells that are read."""
        if self._merged is None:
            self._merged, self._big = {}, []
            ranges, _ = guarded(lambda: self._sheet.merged_cell_ranges)
            budget = MERGE_BUDGET
            for item in ranges or ():
                try:
                    (r1, c1), (r2, c2) = item
                except (TypeError, ValueError):
                    continue
                if (r1, c1) == (r2, c2):
                    continue
                size = (r2 - r1 + 1) * (c2 - c1 + 1)
                if size > 10_000 or size > budget:
                    self._big.append((r1, c1, r2, c2))
                    continue
                budget -= size
                for rr in range(r1, r2 + 1):
                    for cc in range(c1, c2 + 1):
                        self._merged[(rr, cc)] = (r1, c1, r2, c2)
        return self._merged, self._big

    def merged(self, r: int, c: int, inputs: set) -> str | None:
        """The A1 range of a merge that swallows (r, c) or joins it with another input cell, if any.

        The template merges some single input cells across columns (表二); that is not a problem."""
        self.merge_boxes()
        box = self._merged.get((r, c))
        if box is None:
            if not self._big:
                return None
            box = next(((r1, c1, r2, c2) for r1, c1, r2, c2 in self._big if r1 <= r <= r2 and c1 <= c <= c2), None)
            if box is None:
                return None
        r1, c1, r2, c2 = box
        if (r, c) != (r1, c1) or any(r1 <= ir <= r2 and c1 <= ic <= c2 and (ir, ic) != (r, c) for ir, ic in inputs):
            return f"{a1(r1, c1)}:{a1(r2, c2)}"
        return None


def _open(data: bytes, name: str):
    from python_calamine import CalamineWorkbook
    wb, exc = guarded(CalamineWorkbook.from_filelike, io.BytesIO(data))
    if exc is None:
        return wb
    text = str(exc)
    if "password" in text.lower() or "encrypt" in text.lower():
        raise refuse(name, "工作簿设置了密码（已加密），无法读取；请取消密码后重新报送",
                   "the workbook is password-protected; remove the password") from None
    raise refuse(name, f"无法作为工作簿打开（文件可能已损坏）：{text[:80]}",
               f"cannot be opened as a workbook (corrupt?): {text[:80]}") from None


def _load_sheet(wb, pkg: Package | None, sheet: str, name: str, *, required: bool) -> Sheet | None:
    """A sheet read by calamine, after making sure it is not absurdly large; None when unreadable
    (or ReportError when ``required``: a sheet we need that is there but broken means a corrupt file)."""
    if pkg is not None:
        scanned = pkg.sheet(sheet, details=sheet != META_SHEET)
        if scanned is not None and scanned.rows * scanned.cols > MAX_SHEET_CELLS:
            if not required:
                return None
            corner = a1(max(scanned.rows - 1, 0), max(scanned.cols - 1, 0))
            raise refuse(name, f"工作表“{sheet}”的使用范围异常大（一直延伸到 {corner}，通常是表格外很远处误填了内容），"
                             "已拒绝读取；请删除表格以外的多余内容后重新保存",
                       f"sheet {sheet!r} extends absurdly far (to {corner}); delete stray content outside the tables")
    loaded, exc = guarded(lambda: Sheet(wb.get_sheet_by_name(sheet)))
    if exc is None:
        return loaded
    if required:
        raise refuse(name, f"文件已损坏：工作表“{sheet}”无法读取（{str(exc)[:60]}）；请在 Excel/WPS 中打开后重新保存",
                   f"the file is corrupt: sheet {sheet!r} cannot be read ({str(exc)[:60]}); open and save it again")
    return None


def _grids(wb, pkg, name):
    for sheet in wb.sheet_names[:12]:
        s = _load_sheet(wb, pkg, sheet, name, required=False)
        if s is not None:  # a sheet calamine cannot read just does not vote
            yield s.rows


def _read_meta(wb, pkg, name) -> dict:
    """key → value from the hidden metadata sheet, if present (the cell map after it is not needed:
    positions come from the layout and are verified by label)."""
    if META_SHEET not in wb.sheet_names:
        return {}
    if pkg is not None:
        meta = meta_from_xml(pkg)
        if meta:
            return meta
    sheet = _load_sheet(wb, pkg, META_SHEET, name, required=False)
    if sheet is None:
        return {}
    meta = {}
    for row in sheet.rows:
        if not row or row[0] in ("", None):
            continue
        if row[0] == "cell":
            break
        if len(row) >= 2:
            meta[str(row[0])] = str(row[1])
    return meta


def read_workbook(path: str | Path) -> Loaded:
    from .fastpath import read_fast  # our template, unchanged in structure: one pass (None: read it here)
    if (fast := read_fast(path, (_cover_and_narrative, _read_value))) is not None:
        return fast
    path = Path(path)
    name = path.name
    data, kind, z = sniff(path)
    wb = pkg = facts = None
    try:
        wb = _open(data, name)
        if z is not None:
            pkg, _ = guarded(Package, z)
            facts = pkg
        elif kind == "ods":
            import zipfile
            facts, _ = guarded(lambda: OdsFacts(zipfile.ZipFile(io.BytesIO(data))))
        elif kind == "ole":
            facts, _ = guarded(XlsFacts, data)
        return _read(wb, pkg, facts, path)
    finally:
        for closing in (wb, z):
            if closing is not None:
                guarded(closing.close)


def _read(wb, pkg: Package | None, facts, path: Path) -> Loaded:
    """``pkg``: the .xlsx package (None for other kinds); ``facts``: per sheet name, what calamine does not
    tell (formulas, error values, protection) — from the .xlsx XML, the .ods content.xml or the .xls BIFF."""
    name = path.name
    meta = _read_meta(wb, pkg, name)
    notes: list[Finding] = []
    fmt = meta.get("format")
    if fmt not in FORMAT_IDS:
        fmt = guess_format(_grids(wb, pkg, name), name)
        notes.append(_note("S1", "warning", format=fmt))
    spec = load_spec(fmt)
    layout = layout_of(spec)
    plan = plan_of(layout)
    template = {"template_id": meta.get("template_id"), "format": fmt, "spec_hash": meta.get("spec_hash"),
                "version": meta.get("generator_version"), "layout_version": meta.get("layout_version")}
    if meta and meta.get("spec_hash") != spec.hash:
        notes.append(_note("S2", "warning", template_id=meta.get("template_id")))
    sheets: dict[str, Sheet] = {}
    real: dict[str, str] = {}  # the layout's sheet name → the name in this workbook (a renamed 表三 is 表3)
    missing_sheets = []
    present = set(wb.sheet_names)
    for sheet in plan.sheets:
        if sheet in present:
            sheets[sheet] = _load_sheet(wb, pkg, sheet, name, required=True)
            real[sheet] = sheet
        else:
            missing_sheets.append(sheet)
    if missing_sheets and (meta or COVER in present):  # our template with a sheet renamed, not some other workbook
        for sheet, found in _renamed(wb, pkg, name, plan, missing_sheets, set(layout.sheets)).items():
            sheets[sheet], real[sheet] = found
            missing_sheets.remove(sheet)
            # an error all the same: the template's own 校验 sheet and other tools look for the official name
            notes.append(_note("S3", "error", key="S3.renamed", sheet=sheet, renamed=real[sheet]))
    table_sheets = set(layout.table_sheet.values())
    lost_tables = [s for s in missing_sheets if s in table_sheets]
    if len(lost_tables) == len(table_sheets):
        raise refuse(name, f"工作簿中找不到表二、表三、表四（工作表 {'、'.join(lost_tables)} 被删除或改名），无法读取",
                   f"none of the table sheets ({', '.join(lost_tables)}) is present; cannot read", NotTemplate)
    for s in missing_sheets:
        notes.append(_note("S3", "error", sheet=s))
    loc = Locator(layout, sheets, plan)
    for s in sorted(loc.moved):
        lost = loc.lost.get(s, [])
        notes.append(_note("S4", "warning", sheet=s, more=f"；找不到标签：{'、'.join(lost[:3])}" if lost else "",
                           more_en=f"; labels not found: {', '.join(lost[:3])}" if lost else ""))

    report = Report(format=fmt)
    ambiguous: set[str] = set()
    addresses: dict[str, str] = {}
    values, problems = report.values, report.problems
    xml = {s: facts.sheet(real[s]) for s in table_sheets if s in sheets} if facts is not None else {}
    positions = {e[0]: loc.position(e[3], e[4]) for e in plan.entries}
    for sheet in (_collisions(plan, positions) if loc.moved else ()):  # unmoved labels cannot collide
        # labels that disagree (a header typed twice, in another order) would read a column twice:
        # refuse the whole table rather than read any of it from a guessed place
        for cid, _, typed, s, *_ in plan.entries:
            if s == sheet:
                positions[cid] = None
        ambiguous.add(sheet)
        notes.append(_note("S4", "error", key="S4.labels_disagree", sheet=real[sheet]))
    inputs: dict[str, set] = {}
    for cid, _, typed, sheet, *_ in plan.entries:
        if typed and positions[cid] is not None:
            inputs.setdefault(sheet, set()).add(positions[cid])
    merges = {s: sh.merge_boxes() for s, sh in sheets.items()}
    for cid, ctype, typed, sheet, addr, rc, where in plan.entries:
        pos = positions[cid]
        if pos is None:
            values[cid] = None
            if typed and sheet in sheets:
                problem = _AMBIGUOUS if sheet in ambiguous else _unlocatable(loc.lost_label(sheet, addr))
                problems.append(CellProblem(cid, None, problem, where))
            continue
        if pos != rc or real[sheet] != sheet:
            addr = a1(*pos)
            where = f"{real[sheet]}!{addr}"
        addresses[cid] = where
        raw = sheets[sheet].get(*pos)
        scanned = xml.get(sheet)
        if raw is None and scanned is not None and addr in scanned.errors:
            raw = scanned.errors[addr]  # calamine shows error values (#REF! …) as empty cells
        value, problem = _read_value(raw, ctype)
        if not typed:
            values[cid] = value  # kept only to compare with the recomputed total
            continue
        if scanned is not None and addr in scanned.formulas:
            if raw is None:
                problem = ValueProblem("formula_no_value", "error")
            elif problem is None:
                problem = ValueProblem("formula_in_input", "warning", (("result", _shown(raw)),))
        boxes, big = merges[sheet]
        if pos in boxes or big:
            merged = sheets[sheet].merged(*pos, inputs.get(sheet, ()))
            if merged:
                problem = ValueProblem("merged", "error", (("merged", merged),))
        values[cid] = value
        if problem is not None:
            problems.append(CellProblem(cid, raw, problem, where))
    for key, (sheet, addr) in layout.meta.items():  # cover cells, for findings about them (meta.year …)
        if sheet in sheets:
            pos = loc.position(sheet, addr) or parse_a1(addr)
            addresses[f"meta.{key}"] = f"{real[sheet]}!{a1(*pos)}"
    notes += _cover_and_narrative(report, layout, sheets, loc, fmt)
    if facts is not None and meta:
        unprotected = [real[s] for s in plan.sheets if s in sheets and facts.sheet(real[s]) is not None
                       and not facts.sheet(real[s]).protected]
        if unprotected:
            notes.append(_note("S6", "warning", sheets=unprotected))
    return Loaded(report, path, "workbook", addresses, computed=True, template=template, notes=notes)


def _renamed(wb, pkg, name, plan, missing: list[str], known: set[str]) -> dict:
    """Missing layout sheets found under another name by their labels: {layout name: (Sheet, real name)}."""
    spare = [s for s in wb.sheet_names if s not in known][:12]
    if not spare:
        return {}
    candidates = {}
    for s in spare:
        loaded = _load_sheet(wb, pkg, s, name, required=False)
        if loaded is not None:
            candidates[s] = loaded
    out = {}
    for sheet in missing:
        found = find_renamed(plan, sheet, candidates)
        if found is not None:
            out[sheet] = (candidates.pop(found), found)
    return out


_AMBIGUOUS = ValueProblem("ambiguous", "error")


def _collisions(plan, positions: dict) -> set[str]:
    """Sheets where two cells were located at the same place (only labels in disagreement do that)."""
    seen: dict[tuple, str] = {}
    out = set()
    for cid, _, _, sheet, *_ in plan.entries:
        pos = positions.get(cid)
        if pos is None:
            continue
        if (sheet, pos) in seen:
            out.add(sheet)
        seen[(sheet, pos)] = cid
    return out


def _unlocatable(label: str | None) -> ValueProblem:
    if label:
        return ValueProblem("unlocatable", "error", (("label", label),), key="unlocatable_label")
    return ValueProblem("unlocatable", "error")


def _read_value(raw, cell_type: str):
    """``read_value`` with a fast path for the common case (a whole number in range, nothing to say)."""
    if type(raw) is float and raw.is_integer():
        if cell_type == "count" and 0 <= raw < ABSURD_COUNT or cell_type == "signed" and -ABSURD_COUNT < raw < ABSURD_COUNT:
            return int(raw), None
    return read_value(raw, cell_type)


def _note(code, severity, key: str = "", **params) -> Finding:
    return Finding(code, severity, params=params, key=key)


def _cover_and_narrative(report: Report, layout: Layout, sheets, loc, fmt: str) -> list[Finding]:
    """Read the cover and the narrative into ``report``; what is worth saying about them (S7 a level
    typed as free text, S5 a template of another format than the year needs). Shared with fastpath."""
    notes = []
    level_text = _read_cover(report, layout, sheets, loc)
    if level_text is not None:
        notes.append(_note("S7", "warning", level=level_text))
    _read_narrative(report, layout, sheets, loc)
    if report.year is not None and format_for_year(report.year) != fmt:
        right = format_for_year(report.year)
        notes.append(_note("S5", "error", key="S5.older" if fmt < right else "S5.newer", year=report.year,
                           right=right, format=fmt))
    return notes


def _read_cover(report: Report, layout: Layout, sheets, loc: Locator) -> str | None:
    """Fill unit/year/level/contact from the cover; returns a level text that is not a choice."""
    def get(key):
        sheet, addr = layout.meta[key]
        if sheet not in sheets:
            return None
        pos = loc.position(sheet, addr) or parse_a1(addr)
        return sheets[sheet].get(*pos)

    unit = get("unit")
    report.unit = str(unit).strip() if unit not in (None, "") else None
    year = get("year")
    if isinstance(year, (int, float)) and not isinstance(year, bool):  # .xls gives int, .xlsx/.ods float
        report.year = int(year) if float(year).is_integer() and 1900 <= year <= 2200 else None
    elif isinstance(year, str):
        digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", year))
        report.year = int(digits) if len(digits) == 4 else None
    level = get("level")
    unknown_level = None
    if isinstance(level, str) and level.strip():
        report.level = LEVEL_CODES.get(level.strip()) or (level.strip() if level.strip() in LEVEL_LABELS else "other")
        unknown_level = None if report.level != "other" or level.strip() in (LEVEL_LABELS["other"], "other") else level.strip()
    for key in ("contact", "phone", "date"):
        v = get(key) if key in layout.meta else None
        if v not in (None, ""):
            report.extra[key] = _date_text(v) if key == "date" else _cover_text(v)
    return unknown_level


def _cover_text(v) -> str:
    """A cover cell as text; the template formats these cells as text, so a typed 0931… stays text."""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _date_text(v) -> str:
    """填报日期 as an ISO date, whether the cell holds text, a date, or a date's serial number (a date
    typed or pasted into a text-formatted cell by a program that parses it anyway)."""
    if isinstance(v, datetime.datetime):
        return v.date().isoformat()
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() and 36526 <= v <= 73050:
        return (datetime.date(1899, 12, 30) + datetime.timedelta(days=int(v))).isoformat()  # 2000-01-01 … 2099
    return _cover_text(v)


def _read_narrative(report: Report, layout: Layout, sheets, loc: Locator) -> None:
    for key, parts in layout.narrative_cells.items():
        texts = []
        for sheet, addr in parts:
            if sheet not in sheets:
                continue
            pos = loc.position(sheet, addr) or parse_a1(addr)
            v = sheets[sheet].get(*pos)
            if v not in (None, ""):
                texts.append(v if isinstance(v, str) else str(v))
        if texts:
            report.narrative[key] = "".join(texts)


def _shown(raw) -> str:
    return format_number(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else str(raw)
