"""Reading a filled workbook back — any engine, any mess, nothing trusted blindly.

python-calamine reads .xlsx/.xlsm/.xls/.ods/.xlsb quickly. We find the template through its
hidden ``_gxnb`` sheet (template id, format, spec hash, cell map); when that sheet is gone we
recognise the tables by their labels. Before reading a number we verify the labels around it
(the layout's anchors): when rows were inserted or cells moved we relocate by label and say
so, and a cell whose position cannot be established is reported, never read from the wrong
place. Totals are recomputed from the inputs (``Loaded.computed``); stored totals are kept only
to be compared.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

from ..findings import Finding
from ..inputs import Loaded
from ..report import CellProblem, Report, ReportError
from ..spec import FORMAT_IDS, format_for_year, load_spec
from ..values import ValueProblem, read_value
from .layout import LEVEL_CODES, LEVEL_LABELS, META_SHEET, Layout, a1, layout_of, parse_a1

MAX_FILE_BYTES = 50 * 1024 * 1024  # a filled template is ~30 KB; anything this big is not one
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # zip bombs: refuse before any parser inflates them
MAX_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

_WS = re.compile(r"[\s\u3000]+")


def _norm(text) -> str:
    """Label comparison tolerant to spaces, width and bracket style."""
    if not isinstance(text, str):
        return ""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def _err(name: str, zh: str, en: str) -> ReportError:
    return ReportError(f"{name}：{zh}", f"{name}: {en}")


def _sniff(path: Path) -> None:
    """Refuse files that are not workbooks (or are dangerous to open) before any parser sees them."""
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8)
    except FileNotFoundError:
        raise _err(name, "文件不存在", "no such file") from None
    except IsADirectoryError:
        raise _err(name, "是文件夹，不是工作簿", "is a folder, not a workbook") from None
    except OSError as exc:
        raise _err(name, f"无法读取（{exc.strerror}）", f"cannot be read ({exc.strerror})") from None
    if size == 0:
        raise _err(name, "文件为空（0 字节），可能没有保存成功，请重新导出", "the file is empty (0 bytes)")
    if size > MAX_FILE_BYTES:
        raise _err(name, f"文件过大（{size // 1024 // 1024} MB），不像是填报模板，已拒绝读取",
                   f"file too large ({size // 1024 // 1024} MB) for a filled template; refused")
    suffix = path.suffix.lower()
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                total = sum(i.file_size for i in z.infolist())
                packed = sum(i.compress_size for i in z.infolist()) or 1
        except (zipfile.BadZipFile, OSError, ValueError):
            raise _err(name, "文件已损坏（压缩包结构不完整），无法打开，请重新保存后报送",
                       "the file is corrupt (broken zip structure); save it again") from None
        if total > MAX_UNZIPPED_BYTES or total / packed > MAX_RATIO:
            raise _err(name, "文件解压后异常巨大（疑似压缩炸弹），已拒绝读取",
                       "the file inflates to an absurd size (zip bomb?); refused")
        if "word/document.xml" in names:
            raise _err(name, "这是 Word 文档（被改成了表格扩展名），不是填报工作簿",
                       "this is a Word document renamed to a spreadsheet extension, not a workbook")
        if "ppt/presentation.xml" in names:
            raise _err(name, "这是 PowerPoint 文件，不是填报工作簿", "this is a PowerPoint file, not a workbook")
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names and "content.xml" not in names:
            raise _err(name, "这是一个压缩包，但不是 Excel/WPS 工作簿", "a zip archive but not a spreadsheet")
        return
    if head == OLE_MAGIC:
        if suffix in (".xlsx", ".xlsm", ".xlsb"):
            # an OOXML file inside an OLE container is an encrypted (password-to-open) workbook
            raise _err(name, "工作簿设置了打开密码（已加密），无法读取；请取消打开密码后重新报送",
                       "the workbook is password-encrypted; remove the open password and send it again")
        return
    if head.startswith(b"%PDF"):
        raise _err(name, "这是 PDF 文件，不是填报工作簿；请报送 Excel/WPS 表格", "this is a PDF, not a workbook")
    raise _err(name, "不是 Excel/WPS 工作簿（文件内容无法识别）", "not a spreadsheet (unrecognised content)")


class _Sheet:
    """A sheet's cells addressable by zero-based (row, col) regardless of calamine's start offset."""

    def __init__(self, sheet):
        self.rows = sheet.to_python(skip_empty_area=False)
        self.r0, self.c0 = sheet.start if sheet.start else (0, 0)
        self._index = None

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
                        self._index.setdefault(_norm(v), []).append((i + self.r0, j + self.c0))
        return self._index.get(_norm(text), [])


def _open(path: Path):
    from python_calamine import CalamineWorkbook
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for every broken file
        text = str(exc)
        if "password" in text.lower() or "encrypt" in text.lower():
            raise _err(path.name, "工作簿设置了密码（已加密），无法读取；请取消密码后重新报送",
                       "the workbook is password-protected; remove the password") from None
        raise _err(path.name, f"无法作为工作簿打开（文件可能已损坏）：{text[:80]}",
                   f"cannot be opened as a workbook (corrupt?): {text[:80]}") from None


def _read_meta(wb) -> tuple[dict, dict]:
    """(key → value, cell id → (sheet, address)) from the hidden metadata sheet, if present."""
    if META_SHEET not in wb.sheet_names:
        return {}, {}
    rows = wb.get_sheet_by_name(META_SHEET).to_python()
    meta, cmap, in_map = {}, {}, False
    for row in rows:
        if not row or row[0] in ("", None):
            continue
        if row[0] == "cell":
            in_map = True
            continue
        if in_map and len(row) >= 3 and row[1] and row[2]:
            cmap[str(row[0])] = (str(row[1]), str(row[2]))
        elif not in_map and len(row) >= 2:
            meta[str(row[0])] = str(row[1])
    return meta, cmap


def _guess_format(wb, name: str) -> str:
    """A workbook without metadata: which format's labels does it carry?"""
    texts = set()
    for sheet in wb.sheet_names[:12]:
        try:
            for row in wb.get_sheet_by_name(sheet).to_python(nrows=200):
                texts.update(_norm(v) for v in row if isinstance(v, str))
        except Exception:  # noqa: BLE001 - a sheet calamine cannot read just does not vote
            continue
    blob = "".join(texts)
    scores = {fid: sum(_norm(s) in blob for s in load_spec(fid).signature) for fid in FORMAT_IDS}
    best = max(scores, key=scores.get)
    has_tables = "本年新收政府信息公开申请数量" in blob and "结转下年度继续办理" in blob
    if not has_tables or scores[best] == 0:
        raise _err(name, "不是政府信息公开年度报告填报模板（找不到模板标识，也找不到表三的官方标签）",
                   "not a gxnb-xl report template (no template marker and no table III labels)")
    return best


class _Locator:
    """Positions of cells, verified against the layout's anchors; relocated by label when moved."""

    def __init__(self, layout: Layout, sheets: dict[str, _Sheet]):
        self.layout, self.sheets = layout, sheets
        self.shift: dict[tuple[str, str], tuple[int, int] | None] = {}  # anchor (sheet, addr) → (dr, dc)
        self.moved: dict[str, int] = Counter()
        self.lost: dict[str, list[str]] = {}
        by_sheet: dict[str, list] = {}
        for sheet, addr, text in layout.anchors:
            by_sheet.setdefault(sheet, []).append((addr, text))
        for sheet, anchors in by_sheet.items():
            s = sheets.get(sheet)
            if s is None:
                for addr, _ in anchors:
                    self.shift[(sheet, addr)] = None
                continue
            exact = {}
            for addr, text in anchors:
                r, c = parse_a1(addr)
                exact[addr] = _norm(s.get(r, c)) == _norm(text)
            if all(exact.values()):
                for addr, _ in anchors:
                    self.shift[(sheet, addr)] = (0, 0)
                continue
            # something moved: find every anchor by its text; duplicates resolved near the common shift
            found = {}
            for addr, text in anchors:
                r, c = parse_a1(addr)
                hits = s.find(text)
                if len(hits) == 1:
                    found[addr] = (hits[0][0] - r, hits[0][1] - c)
            common = Counter(found.values()).most_common(1)
            base = common[0][0] if common else (0, 0)
            for addr, text in anchors:
                r, c = parse_a1(addr)
                if addr in found:
                    self.shift[(sheet, addr)] = found[addr]
                    continue
                hits = s.find(text)
                if hits:
                    best = min(hits, key=lambda h: abs(h[0] - r - base[0]) + abs(h[1] - c - base[1]))
                    self.shift[(sheet, addr)] = (best[0] - r, best[1] - c)
                else:
                    self.shift[(sheet, addr)] = None
                    self.lost.setdefault(sheet, []).append(text)
            if any(v not in (None, (0, 0)) for (sh, _), v in self.shift.items() if sh == sheet):
                self.moved[sheet] += 1
        # anchors by sheet row / col for lookup
        self._rows: dict[tuple[str, int], list[tuple[int, str]]] = {}
        self._cols: dict[tuple[str, int], list[tuple[int, str]]] = {}
        for sheet, addr, _ in layout.anchors:
            r, c = parse_a1(addr)
            self._rows.setdefault((sheet, r), []).append((c, addr))
            self._cols.setdefault((sheet, c), []).append((r, addr))

    def position(self, sheet: str, addr: str) -> tuple[int, int] | None:
        """Where a layout cell really is, or None when its labels cannot be found consistently."""
        r, c = parse_a1(addr)
        if sheet not in self.sheets:
            return None
        if not self.moved.get(sheet):
            return r, c
        row_anchor = [a for col, a in sorted(self._rows.get((sheet, r), []), key=lambda x: -x[0]) if col < c]
        col_anchor = [a for row, a in sorted(self._cols.get((sheet, c), []), key=lambda x: -x[0]) if row < r]
        if not row_anchor and not col_anchor:
            return None
        dr = self.shift.get((sheet, row_anchor[0])) if row_anchor else None
        dc = self.shift.get((sheet, col_anchor[0])) if col_anchor else None
        if row_anchor and dr is None or col_anchor and dc is None:
            return None
        # the row label fixes the row, the column header fixes the column; each must agree with itself
        drow = dr[0] if dr else dc[0]
        dcol = dc[1] if dc else dr[1]
        if dr and dc and dr[1] != dc[1] and self._ambiguous(sheet, r, c):
            return None
        return r + drow, c + dcol

    def _ambiguous(self, sheet, r, c) -> bool:
        return False  # columns of a row label and of a header legitimately differ in their own axes


def read_workbook(path: str | Path, lang: str = "zh") -> Loaded:
    path = Path(path)
    name = path.name
    _sniff(path)
    wb = _open(path)
    try:
        meta, cmap = _read_meta(wb)
        notes: list[Finding] = []
        fmt = meta.get("format")
        if fmt not in FORMAT_IDS:
            fmt = _guess_format(wb, name)
            notes.append(_note("S1", "warning", "metadata_missing",
                               "工作簿缺少模板标识（隐藏的 _gxnb 工作表被删除或不是本工具生成），已按表格标签识别为 "
                               f"{fmt} 年格式并逐格核对标签后读取", lang,
                               f"the template marker (hidden _gxnb sheet) is missing; recognised format {fmt} by its labels"))
        spec = load_spec(fmt)
        layout = layout_of(spec)
        template = {"template_id": meta.get("template_id"), "format": fmt, "spec_hash": meta.get("spec_hash"),
                    "version": meta.get("generator_version"), "layout_version": meta.get("layout_version")}
        if meta and meta.get("spec_hash") != spec.hash:
            notes.append(_note("S2", "warning", "other_version",
                               f"工作簿由其他版本的模板生成（{meta.get('template_id')}），已按标签核对位置后读取", lang,
                               f"made from another template version ({meta.get('template_id')}); positions verified by label"))
        sheets = {}
        missing_sheets = []
        for sheet in layout.sheets:
            if sheet == META_SHEET:
                continue
            if sheet in wb.sheet_names:
                try:
                    sheets[sheet] = _Sheet(wb.get_sheet_by_name(sheet))
                except Exception:  # noqa: BLE001
                    missing_sheets.append(sheet)
            else:
                missing_sheets.append(sheet)
        table_sheets = set(layout.table_sheet.values())
        lost_tables = [s for s in missing_sheets if s in table_sheets]
        if len(lost_tables) == len(table_sheets):
            raise _err(name, f"工作簿中找不到表二、表三、表四（工作表 {'、'.join(lost_tables)} 被删除或改名），无法读取",
                       f"none of the table sheets ({', '.join(lost_tables)}) is present; cannot read")
        for s in missing_sheets:
            notes.append(_note("S3", "error", "sheet_missing", f"工作表“{s}”被删除或改名，其中的单元格按未填写处理", lang,
                               f"sheet {s!r} was deleted or renamed; its cells count as blank"))
        loc = _Locator(layout, sheets)
        for s in sorted(loc.moved):
            lost = loc.lost.get(s, [])
            more = f"；找不到标签：{'、'.join(lost[:3])}" if lost else ""
            notes.append(_note("S4", "warning", "structure_changed",
                               f"工作表“{s}”的结构被改动（插入/删除了行或列），已按标签重新定位读取{more}", lang,
                               f"sheet {s!r} was restructured (rows/columns inserted or deleted); cells relocated by label"))

        report = Report(format=fmt)
        addresses: dict[str, str] = {}
        formulas = _formula_cells(path, layout, loc) if path.suffix.lower() in (".xlsx", ".xlsm") else set()
        for cid, cell in spec.cells.items():
            sheet, addr = layout.cells[cid]
            pos = loc.position(sheet, addr)
            if pos is None:
                report.values[cid] = None
                if cell.input and sheet in sheets:
                    report.problems.append(CellProblem(cid, None, ValueProblem(
                        "unlocatable", "error", "表格结构被改动，无法确定此单元格的位置，未读取",
                        "the sheet was restructured and this cell cannot be located; not read"), f"{sheet}!{addr}"))
                continue
            real = a1(*pos)
            addresses[cid] = f"{sheet}!{real}"
            raw = sheets[sheet].get(*pos)
            value, problem = read_value(raw, cell.type)
            if not cell.input:
                report.values[cid] = value  # kept only to compare with the recomputed total
                continue
            if (sheet, real) in formulas and problem is None:
                problem = ValueProblem("formula_in_input", "warning", f"填写区内输入了公式（结果 {raw}），已按结果读取，请直接填写数字",
                                       f"a formula was typed into an input cell (result {raw}); read its result")
            report.values[cid] = value
            if problem is not None:
                report.problems.append(CellProblem(cid, raw, problem, f"{sheet}!{real}"))
        _read_cover(report, layout, sheets, loc)
        _read_narrative(report, layout, sheets, loc)
        if report.year is not None and format_for_year(report.year) != fmt:
            notes.append(_note("S5", "warning", "format_year",
                               f"年度 {report.year} 应使用 {format_for_year(report.year)} 年格式，但本工作簿是 {fmt} 年格式的模板（可能用了往年模板）",
                               lang, f"year {report.year} needs format {format_for_year(report.year)}, but this is a {fmt} template"))
        if path.suffix.lower() in (".xlsx", ".xlsm") and meta:
            unprotected = _unprotected_sheets(path, layout)
            if unprotected:
                notes.append(_note("S6", "warning", "protection_removed",
                                   f"工作表保护已被取消：{'、'.join(unprotected)}（已逐格核对标签，请确认未改动公式）", lang,
                                   f"sheet protection was removed: {', '.join(unprotected)}"))
        return Loaded(report, path, "workbook", addresses, computed=True, template=template, notes=notes)
    finally:
        try:
            wb.close()
        except Exception:  # noqa: BLE001
            pass


def _note(rule, severity, code, zh, lang, en) -> Finding:
    return Finding(rule, rule, severity, "fail", en if lang == "en" else zh, code=code)


def _read_cover(report: Report, layout: Layout, sheets, loc: _Locator) -> None:
    def get(key):
        sheet, addr = layout.meta[key]
        if sheet not in sheets:
            return None
        pos = loc.position(sheet, addr) or parse_a1(addr)
        return sheets[sheet].get(*pos)

    unit = get("unit")
    report.unit = str(unit).strip() if unit not in (None, "") else None
    year = get("year")
    if isinstance(year, float) and year.is_integer():
        report.year = int(year)
    elif isinstance(year, str):
        digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", year))
        report.year = int(digits) if len(digits) == 4 else None
    level = get("level")
    if isinstance(level, str) and level.strip():
        report.level = LEVEL_CODES.get(level.strip()) or (level.strip() if level.strip() in LEVEL_LABELS else "other")
    for key in ("contact", "phone", "date"):
        v = get(key) if key in layout.meta else None
        if v not in (None, ""):
            report.extra.setdefault("cover", {})[key] = v if isinstance(v, str) else str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _read_narrative(report: Report, layout: Layout, sheets, loc: _Locator) -> None:
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


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*>(?:(?!</c>).)*?<f[ >/]', re.S)


def _formula_cells(path: Path, layout: Layout, loc: _Locator) -> set[tuple[str, str]]:
    """(sheet, A1) of cells holding a formula, for the table sheets of an .xlsx."""
    out = set()
    try:
        with zipfile.ZipFile(path) as z:
            targets = _sheet_parts(z)
            for sheet in set(layout.table_sheet.values()):
                part = targets.get(sheet)
                if part is None:
                    continue
                for m in _FORMULA_CELL.finditer(z.read(part)):
                    out.add((sheet, m.group(1).decode()))
    except (zipfile.BadZipFile, KeyError, OSError):
        return out
    return out


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    wb = z.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = dict(re.findall(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    out = {}
    for sheet_name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', wb):
        target = targets.get(rid, "")
        out[_unescape(sheet_name)] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


def _unescape(s: str) -> str:
    return s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")


def _unprotected_sheets(path: Path, layout: Layout) -> list[str]:
    try:
        with zipfile.ZipFile(path) as z:
            parts = _sheet_parts(z)
            return [s for s in layout.sheets if s != META_SHEET and s in parts
                    and b"<sheetProtection" not in z.read(parts[s])]
    except (zipfile.BadZipFile, KeyError, OSError):
        return []
