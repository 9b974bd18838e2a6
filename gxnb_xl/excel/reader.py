"""Reading a filled workbook back — any engine, any mess, nothing trusted blindly.

python-calamine reads .xlsx/.xlsm/.xls/.ods/.xlsb quickly. We find the template through its
hidden ``_gxnb`` sheet (template id, format, spec hash, cell map); when that sheet is gone we
recognise the tables by their labels. Before reading a number we verify the labels around it
(the layout's anchors): when rows were inserted or cells moved we relocate by label and say
so, and a cell whose position cannot be established is reported, never read from the wrong
place. Totals are recomputed from the inputs (``Loaded.computed``); stored totals are kept only
to be compared.

The file is read once into memory (never written) and opened by content, not by extension. Before
calamine sees an .xlsx we check what would make it abort the process rather than raise: a sheet
whose cells reach absurdly far (it materialises rows × columns) and an absurd shared-string
count (it reserves memory for it). Calamine's own errors and panics become ReportError; a sheet we
need that is present but unreadable means a corrupt file. What calamine does not tell — formulas
typed in input cells, error values (#REF!), protection — comes from one scan of the sheet XML.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from collections import Counter
from functools import lru_cache
from pathlib import Path

from ..findings import Finding
from ..loaded import Loaded
from ..report import CellProblem, Report, ReportError
from ..spec import FORMAT_IDS, format_for_year, load_spec
from ..values import format_number, ABSURD_COUNT, ValueProblem, read_value
from .layout import LEVEL_CODES, LEVEL_LABELS, META_SHEET, Layout, a1, layout_of, parse_a1

MAX_FILE_BYTES = 50 * 1024 * 1024  # a filled template is ~30 KB; anything this big is not one
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # zip bombs: refuse before any parser inflates them
MAX_RATIO = 200
MAX_SHEET_CELLS = 2_000_000  # a sheet's used range (rows × columns) the reader agrees to materialise
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_WS = re.compile(r"[\s\u3000]+")


def _norm(text) -> str:
    """Label comparison tolerant to spaces, width and bracket style."""
    if not isinstance(text, str):
        return ""
    return _norm_text(text) if len(text) <= 200 else _WS.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=8192)
def _norm_text(text: str) -> str:  # labels repeat from file to file: normalise each once
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def _err(name: str, zh: str, en: str) -> ReportError:
    return ReportError(f"{name}：{zh}", f"{name}: {en}")


def _utf16(s: str) -> bytes:
    return s.encode("utf-16-le")


def _sniff(path: Path) -> tuple[bytes, str, zipfile.ZipFile | None]:
    """The file's bytes, kind (ooxml | ods | xlsb | ole) and open zip, or ReportError for what is not a workbook.

    The file is read once, here; nothing else opens it (and nothing ever writes it).
    """
    name = path.name
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise IsADirectoryError
        if size > MAX_FILE_BYTES:
            raise _err(name, f"文件过大（{size // 1024 // 1024} MB），不像是填报模板，已拒绝读取",
                       f"file too large ({size // 1024 // 1024} MB) for a filled template; refused")
        data = path.read_bytes()
    except FileNotFoundError:
        raise _err(name, "文件不存在", "no such file") from None
    except IsADirectoryError:
        raise _err(name, "是文件夹，不是工作簿", "is a folder, not a workbook") from None
    except OSError as exc:
        raise _err(name, f"无法读取（{exc.strerror}）", f"cannot be read ({exc.strerror})") from None
    if not data:
        raise _err(name, "文件为空（0 字节），可能没有保存成功，请重新导出", "the file is empty (0 bytes)")
    head = data[:8]
    if head.startswith(b"PK"):
        try:
            z = zipfile.ZipFile(io.BytesIO(data))
            infos = z.infolist()
            names = {i.filename for i in infos}
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
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
        if "xl/workbook.xml" in names:
            _check_shared_strings(z, name)
            return data, "ooxml", z
        if "xl/workbook.bin" in names:
            return data, "xlsb", None
        if "content.xml" in names:
            return data, "ods", None
        raise _err(name, "这是一个压缩包，但不是 Excel/WPS 工作簿", "a zip archive but not a spreadsheet")
    if head == OLE_MAGIC:
        if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
            # an OOXML file inside an OLE container is an encrypted (password-to-open) workbook
            raise _err(name, "工作簿设置了打开密码（已加密），无法读取；请取消打开密码后重新报送",
                       "the workbook is password-encrypted; remove the open password and send it again")
        if _utf16("WordDocument") in data:
            raise _err(name, "这是旧版 Word 文档（.doc），不是填报工作簿", "this is a Word .doc document, not a workbook")
        if _utf16("PowerPoint Document") in data:
            raise _err(name, "这是 PowerPoint 文件，不是填报工作簿", "this is a PowerPoint file, not a workbook")
        return data, "ole", None
    if head.startswith(b"%PDF"):
        raise _err(name, "这是 PDF 文件，不是填报工作簿；请报送 Excel/WPS 表格", "this is a PDF, not a workbook")
    start = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<html", b"<!doctype html", b"<table", b"<meta", b"<head")) or b"<html" in start[:512]:
        raise _err(name, "这是网页（HTML）文件，只是扩展名为表格（常见于系统“导出 Excel”）；请在 Excel/WPS 中打开后另存为 .xlsx",
                   "this is a web page (HTML) with a spreadsheet extension; open it in Excel/WPS and save as .xlsx")
    if start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in data[:4096]:
        raise _err(name, "这是 Excel 2003 XML 表格格式，请在 Excel/WPS 中另存为 .xlsx 后报送",
                   "this is an Excel 2003 XML spreadsheet; save it as .xlsx")
    if b"\0" not in data[:4096] and _decodes(data[:4096]):
        raise _err(name, "不是 Excel/WPS 工作簿（这是纯文本文件，可能是改了扩展名的 CSV/TXT 文件）",
                   "not a spreadsheet (plain text, perhaps a renamed CSV/TXT file)")
    raise _err(name, "不是 Excel/WPS 工作簿（文件内容无法识别）", "not a spreadsheet (unrecognised content)")


_UNIQUE_COUNT = re.compile(rb"<(?:\w+:)?sst\b[^>]*?\suniqueCount\s*=\s*[\"']\s*(\d+)")


def _check_shared_strings(z: zipfile.ZipFile, name: str) -> None:
    """calamine reserves memory for the declared number of shared strings before reading them: a
    corrupt count (billions) aborts the whole process. No real table declares more strings than bytes."""
    try:
        info = z.getinfo("xl/sharedStrings.xml")
        with z.open(info) as f:
            head = f.read(4096)
    except KeyError:
        return
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError, RuntimeError):
        raise _err(name, "文件已损坏（压缩包内容无法解压），无法打开，请重新保存后报送",
                   "the file is corrupt (a part cannot be decompressed); save it again") from None
    m = _UNIQUE_COUNT.search(head)
    if m and int(m.group(1)) > max(info.file_size, 1024):
        raise _err(name, "文件已损坏（共享字符串表的计数异常），无法打开，请在 Excel/WPS 中重新保存后报送",
                   "the file is corrupt (absurd shared-string count); save it again")


def _decodes(chunk: bytes) -> bool:
    for enc in ("utf-8", "gb18030"):
        try:
            chunk.decode(enc)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _guarded(fn, *args, **kwargs):
    """Call into calamine; its Rust panics arrive as BaseException (pyo3 PanicException)."""
    try:
        return fn(*args, **kwargs), None
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine raises its own types, panics included
        return None, exc


class _Sheet:
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
                        self._index.setdefault(_norm(v), []).append((i + self.r0, j + self.c0))
        return self._index.get(_norm(text), [])

    def merge_boxes(self):
        """(position → merge box for merges up to 10,000 cells, list of bigger merges)."""
        if self._merged is None:
            self._merged, self._big = {}, []
            ranges, _ = _guarded(lambda: self._sheet.merged_cell_ranges)
            for item in ranges or ():
                try:
                    (r1, c1), (r2, c2) = item
                except (TypeError, ValueError):
                    continue
                if (r1, c1) == (r2, c2):
                    continue
                if (r2 - r1 + 1) * (c2 - c1 + 1) > 10_000:
                    self._big.append((r1, c1, r2, c2))
                    continue
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


_REFS = re.compile(rb"r=[\"']([A-Za-z]{0,8})(\d{1,12})")
_ADDR = re.compile(rb"\sr=\"([A-Z]{1,3}\d{1,7})\"")
_VALUE = re.compile(rb"<v>([^<]{0,40})</v>")


def _col_number(letters: bytes) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col


class _SheetXml:
    """What calamine does not tell: the used extent, and (when asked) formulas, error values, protection."""

    __slots__ = ("formulas", "errors", "protected", "rows", "cols")

    def __init__(self, xml: bytes, details: bool = True):
        # every r="…" attribute (rows and cells), in any spelling an XML parser accepts (r='A1', r = "A1",
        # line breaks): whitespace dropped first, which is faster than a whitespace-tolerant pattern; other
        # attributes ending in "r" (footer="0") can only enlarge the extent, never hide a far cell
        refs = _REFS.findall(xml.translate(None, b" \t\r\n"))
        letters, digits = zip(*refs) if refs else ((), ())
        self.rows = max(map(int, digits), default=0)
        self.cols = max(map(_col_number, set(letters) - {b""}), default=0)
        self.protected = b"<sheetProtection" in xml
        self.formulas: set[str] = set()
        self.errors: dict[str, str] = {}
        if details:  # literal searches (Excel, WPS, LibreOffice and XlsxWriter all write these forms)
            pos = xml.find(b"<f")
            while pos >= 0:
                if xml[pos + 2:pos + 3] in (b">", b" ", b"/"):
                    addr = _owner(xml, pos)
                    if addr:
                        self.formulas.add(addr)
                pos = xml.find(b"<f", pos + 2)
            pos = xml.find(b' t="e"')
            while pos >= 0:
                end = pos + 6
                addr = _owner(xml, end)
                if addr:
                    v = _VALUE.search(xml, end, end + 200)
                    self.errors[addr] = v.group(1).decode("utf-8", "replace") if v else "#VALUE!"
                pos = xml.find(b' t="e"', end)


def _owner(xml: bytes, pos: int) -> str | None:
    """The address of the <c> element that contains position ``pos`` (None when not inside one)."""
    start = xml.rfind(b"<c ", 0, pos)
    if start < 0:
        return None
    end = xml.find(b">", start)
    if end < 0 or (end < pos and (xml[end - 1:end] == b"/" or b"</c>" in xml[end:pos])):
        return None
    m = _ADDR.search(xml, start, end + 1)
    return m.group(1).decode("ascii") if m else None


class _Package:
    """The .xlsx zip, opened once: sheet name → part, scanned sheet XML (cached)."""

    def __init__(self, z: zipfile.ZipFile):
        self.zip = z
        try:
            self.parts = _sheet_parts(self.zip)
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError):
            self.parts = {}
        self._scanned: dict[str, _SheetXml | None] = {}

    def sheet(self, name: str, details: bool = True) -> _SheetXml | None:
        if name not in self._scanned:
            part = self.parts.get(name)
            scanned = None
            if part is not None:
                try:
                    scanned = _SheetXml(self.zip.read(part), details)
                except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError):
                    scanned = None
            self._scanned[name] = scanned
        return self._scanned[name]

    def close(self):
        self.zip.close()


def _open(data: bytes, name: str):
    from python_calamine import CalamineWorkbook
    wb, exc = _guarded(CalamineWorkbook.from_filelike, io.BytesIO(data))
    if exc is None:
        return wb
    text = str(exc)
    if "password" in text.lower() or "encrypt" in text.lower():
        raise _err(name, "工作簿设置了密码（已加密），无法读取；请取消密码后重新报送",
                   "the workbook is password-protected; remove the password") from None
    raise _err(name, f"无法作为工作簿打开（文件可能已损坏）：{text[:80]}",
               f"cannot be opened as a workbook (corrupt?): {text[:80]}") from None


def _load_sheet(wb, pkg: _Package | None, sheet: str, name: str, *, required: bool) -> _Sheet | None:
    """A sheet read by calamine, after making sure it is not absurdly large; None when unreadable
    (or ReportError when ``required``: a sheet we need that is there but broken means a corrupt file)."""
    if pkg is not None:
        scanned = pkg.sheet(sheet, details=sheet != META_SHEET)
        if scanned is not None and scanned.rows * scanned.cols > MAX_SHEET_CELLS:
            if not required:
                return None
            corner = a1(max(scanned.rows - 1, 0), max(scanned.cols - 1, 0))
            raise _err(name, f"工作表“{sheet}”的使用范围异常大（一直延伸到 {corner}，通常是表格外很远处误填了内容），"
                             "已拒绝读取；请删除表格以外的多余内容后重新保存",
                       f"sheet {sheet!r} extends absurdly far (to {corner}); delete stray content outside the tables")
    loaded, exc = _guarded(lambda: _Sheet(wb.get_sheet_by_name(sheet)))
    if exc is None:
        return loaded
    if required:
        raise _err(name, f"文件已损坏：工作表“{sheet}”无法读取（{str(exc)[:60]}）；请在 Excel/WPS 中打开后重新保存",
                   f"the file is corrupt: sheet {sheet!r} cannot be read ({str(exc)[:60]}); open and save it again")
    return None


def _read_meta(wb, pkg, name) -> dict:
    """key → value from the hidden metadata sheet, if present (the cell map after it is not needed:
    positions come from the layout and are verified by label)."""
    if META_SHEET not in wb.sheet_names:
        return {}
    if pkg is not None:
        meta = _meta_from_xml(pkg)
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


_ROW_XML = re.compile(rb"<row\b[^>]*>(.*?)</row>", re.S)
_CELL_XML = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR_R = re.compile(rb"\sr=\"([A-Z]+)\d+\"")
_ATTR_T = re.compile(rb"\st=\"(\w+)\"")
_T_TEXT = re.compile(rb"<t\b[^>]*>([^<]*)</t>")
_SI = re.compile(rb"<si>(.*?)</si>", re.S)


def _meta_from_xml(pkg: _Package) -> dict:
    """The metadata rows straight from the sheet XML of an .xlsx: calamine would materialise the whole
    hidden sheet (its cell map is most of the file's cells) to give us a dozen strings. {} when unsure."""
    import html
    part = pkg.parts.get(META_SHEET)
    if part is None:
        return {}
    try:
        xml = pkg.zip.read(part)
        sst = None
        meta = {}
        for n, row in enumerate(_ROW_XML.finditer(xml)):
            if n > 40:
                break
            cells = {}
            for cell in _CELL_XML.finditer(row.group(1)):
                col = _ATTR_R.search(cell.group(1))
                if col is None or col.group(1) not in (b"A", b"B") or not cell.group(2):
                    continue
                kind = _ATTR_T.search(cell.group(1))
                kind = kind.group(1) if kind else b"n"
                inner = cell.group(2)
                if kind == b"s":
                    if sst is None:
                        sst = _SI.findall(pkg.zip.read("xl/sharedStrings.xml"))
                    v = _VALUE.search(inner)
                    text = b"".join(_T_TEXT.findall(sst[int(v.group(1))])) if v else b""
                elif kind == b"inlineStr":
                    text = b"".join(_T_TEXT.findall(inner))
                else:
                    v = _VALUE.search(inner)
                    text = v.group(1) if v else b""
                cells[col.group(1)] = html.unescape(text.decode("utf-8"))
            key = cells.get(b"A")
            if key == "cell":
                break
            if key and b"B" in cells:
                meta[key] = cells[b"B"]
        return meta
    except (KeyError, IndexError, ValueError, zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError):
        return {}


def _guess_format(wb, pkg, name: str) -> str:
    """A workbook without metadata: which format's labels does it carry?"""
    texts = set()
    for sheet in wb.sheet_names[:12]:
        s = _load_sheet(wb, pkg, sheet, name, required=False)
        if s is None:  # a sheet calamine cannot read just does not vote
            continue
        for row in s.rows[:200]:
            texts.update(_norm(v) for v in row[:60] if isinstance(v, str))
    blob = "".join(texts)
    scores = {fid: sum(_norm(s) in blob for s in load_spec(fid).signature) for fid in FORMAT_IDS}
    best = max(scores, key=scores.get)
    t3_rows = load_spec(best).tables["t3"]["rows"]  # the first and last row labels of table 三
    has_tables = all(_norm(row["labels"][-1]).lstrip("一二三四五、") in blob for row in (t3_rows[0], t3_rows[-1]))
    if not has_tables or scores[best] == 0:
        raise _err(name, "不是政府信息公开年度报告填报模板（找不到模板标识，也找不到表三的官方标签）",
                   "not a gxnb-xl report template (no template marker and no table III labels)")
    return best


class _Plan:
    """Per-layout precomputation (parsed positions, anchors by sheet), built once per format."""

    def __init__(self, layout: Layout):
        self.anchors: dict[str, list[tuple[str, int, int, str]]] = {}
        for sheet, addr, text in layout.anchors:
            r, c = parse_a1(addr)
            self.anchors.setdefault(sheet, []).append((addr, r, c, _norm(text)))
        self.rc = {addr: parse_a1(addr) for _, addr in
                   [*layout.cells.values(), *layout.meta.values(),
                    *(p for ps in layout.narrative_cells.values() for p in ps)]}
        for anchors in self.anchors.values():
            for addr, r, c, _ in anchors:
                self.rc[addr] = (r, c)
        needed = {s for s, _ in layout.cells.values()} | {s for s, _ in layout.meta.values()}
        needed |= {s for ps in layout.narrative_cells.values() for s, _ in ps}
        self.sheets = [s for s in layout.sheets if s in needed and s != META_SHEET]
        # every cell once: (id, type, typed by the clerk?, sheet, A1, (row, col), "sheet!A1")
        spec = load_spec(layout.format)
        self.entries = [(cid, cell.type, cell.input, *layout.cells[cid], self.rc[layout.cells[cid][1]],
                         f"{layout.cells[cid][0]}!{layout.cells[cid][1]}") for cid, cell in spec.cells.items()]


_PLANS: dict[int, _Plan] = {}


def _plan(layout: Layout) -> _Plan:
    plan = _PLANS.get(id(layout))
    if plan is None:
        plan = _PLANS[id(layout)] = _Plan(layout)
    return plan


class _Locator:
    """Positions of cells, verified against the layout's anchors; relocated by label when moved."""

    def __init__(self, layout: Layout, sheets: dict[str, _Sheet], plan: _Plan | None = None):
        self.layout, self.sheets = layout, sheets
        self.plan = plan = plan or _plan(layout)
        self.shift: dict[tuple[str, str], tuple[int, int] | None] = {}  # anchor (sheet, addr) → (dr, dc)
        self.moved: dict[str, int] = Counter()
        self.lost: dict[str, list[str]] = {}
        self._rows = self._cols = None
        for sheet, anchors in plan.anchors.items():
            s = sheets.get(sheet)
            if s is None:
                for addr, *_ in anchors:
                    self.shift[(sheet, addr)] = None
                continue
            if all(_norm(s.get(r, c)) == text for _, r, c, text in anchors):
                continue  # the common case: nothing moved, every label where the template put it
            # something moved: find every anchor by its text; duplicates resolved near the common shift
            found = {}
            for addr, r, c, text in anchors:
                hits = s.find(text)
                if len(hits) == 1:
                    found[addr] = (hits[0][0] - r, hits[0][1] - c)
            common = Counter(found.values()).most_common(1)
            base = common[0][0] if common else (0, 0)
            for addr, r, c, text in anchors:
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
            self.moved[sheet] += 1  # labels changed place (or vanished): every cell is located by label

    def _index(self):
        self._rows, self._cols = {}, {}
        for sheet, anchors in self.plan.anchors.items():
            for addr, r, c, _ in anchors:
                self._rows.setdefault((sheet, r), []).append((c, addr))
                self._cols.setdefault((sheet, c), []).append((r, addr))
        for d in (self._rows, self._cols):
            for k in d:
                d[k].sort(key=lambda x: -x[0])

    def position(self, sheet: str, addr: str) -> tuple[int, int] | None:
        """Where a layout cell really is, or None when its labels cannot be found consistently."""
        if sheet not in self.sheets:
            return None
        rc = self.plan.rc.get(addr) or parse_a1(addr)
        if not self.moved.get(sheet):
            return rc
        if self._rows is None:
            self._index()
        r, c = rc
        row_anchor = [a for col, a in self._rows.get((sheet, r), []) if col < c]
        col_anchor = [a for row, a in self._cols.get((sheet, c), []) if row < r]
        if not row_anchor and not col_anchor:
            return None
        dr = self.shift.get((sheet, row_anchor[0])) if row_anchor else None
        dc = self.shift.get((sheet, col_anchor[0])) if col_anchor else None
        if row_anchor and dr is None or col_anchor and dc is None:
            return None
        # the row label fixes the row, the column header fixes the column
        drow = dr[0] if dr else dc[0]
        dcol = dc[1] if dc else dr[1]
        return r + drow, c + dcol


def read_workbook(path: str | Path) -> Loaded:
    from .fastpath import read_fast  # our template, unchanged in structure: one pass (None: read it here)
    if (fast := read_fast(path)) is not None:
        return fast
    path = Path(path)
    name = path.name
    data, kind, z = _sniff(path)
    wb = pkg = None
    try:
        wb = _open(data, name)
        if z is not None:
            pkg, _ = _guarded(_Package, z)
        return _read(wb, pkg, path)
    finally:
        for closing in (wb, z):
            if closing is not None:
                _guarded(closing.close)


def _read(wb, pkg: _Package | None, path: Path) -> Loaded:
    name = path.name
    meta = _read_meta(wb, pkg, name)
    notes: list[Finding] = []
    fmt = meta.get("format")
    if fmt not in FORMAT_IDS:
        fmt = _guess_format(wb, pkg, name)
        notes.append(_note("S1", "warning", format=fmt))
    spec = load_spec(fmt)
    layout = layout_of(spec)
    plan = _plan(layout)
    template = {"template_id": meta.get("template_id"), "format": fmt, "spec_hash": meta.get("spec_hash"),
                "version": meta.get("generator_version"), "layout_version": meta.get("layout_version")}
    if meta and meta.get("spec_hash") != spec.hash:
        notes.append(_note("S2", "warning", template_id=meta.get("template_id")))
    sheets: dict[str, _Sheet] = {}
    missing_sheets = []
    present = set(wb.sheet_names)
    for sheet in plan.sheets:
        if sheet in present:
            sheets[sheet] = _load_sheet(wb, pkg, sheet, name, required=True)
        else:
            missing_sheets.append(sheet)
    table_sheets = set(layout.table_sheet.values())
    lost_tables = [s for s in missing_sheets if s in table_sheets]
    if len(lost_tables) == len(table_sheets):
        raise _err(name, f"工作簿中找不到表二、表三、表四（工作表 {'、'.join(lost_tables)} 被删除或改名），无法读取",
                   f"none of the table sheets ({', '.join(lost_tables)}) is present; cannot read")
    for s in missing_sheets:
        notes.append(_note("S3", "error", sheet=s))
    loc = _Locator(layout, sheets, plan)
    for s in sorted(loc.moved):
        lost = loc.lost.get(s, [])
        notes.append(_note("S4", "warning", sheet=s, more=f"；找不到标签：{'、'.join(lost[:3])}" if lost else "",
                           more_en=f"; labels not found: {', '.join(lost[:3])}" if lost else ""))

    report = Report(format=fmt)
    addresses: dict[str, str] = {}
    values, problems = report.values, report.problems
    xml = {s: pkg.sheet(s) for s in table_sheets if s in sheets} if pkg is not None else {}
    positions = {e[0]: loc.position(e[3], e[4]) for e in plan.entries}
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
                problems.append(CellProblem(cid, None, ValueProblem("unlocatable", "error"), where))
            continue
        if pos != rc:
            addr = a1(*pos)
            where = f"{sheet}!{addr}"
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
    level_text = _read_cover(report, layout, sheets, loc)
    if level_text is not None:
        notes.append(_note("S7", "warning", level=level_text))
    _read_narrative(report, layout, sheets, loc)
    if report.year is not None and format_for_year(report.year) != fmt:
        right = format_for_year(report.year)
        notes.append(_note("S5", "error", year=report.year, right=right, format=fmt,
                           why="用了往年模板" if fmt < right else "用了新版格式的模板"))
    if pkg is not None and meta:
        unprotected = [s for s in plan.sheets if s in sheets and pkg.sheet(s) is not None
                       and not pkg.sheet(s).protected]
        if unprotected:
            notes.append(_note("S6", "warning", sheets=unprotected))
    return Loaded(report, path, "workbook", addresses, computed=True, template=template, notes=notes)


def _read_value(raw, cell_type: str):
    """``read_value`` with a fast path for the common case (a whole number in range, nothing to say)."""
    if type(raw) is float and raw.is_integer():
        if cell_type == "count" and 0 <= raw < ABSURD_COUNT or cell_type == "signed" and -ABSURD_COUNT < raw < ABSURD_COUNT:
            return int(raw), None
    return read_value(raw, cell_type)


def _note(code, severity, **params) -> Finding:
    return Finding(code, severity, params=params)


def _read_cover(report: Report, layout: Layout, sheets, loc: _Locator) -> str | None:
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
            report.extra[key] = v if isinstance(v, str) else str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
    return unknown_level


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


def _shown(raw) -> str:
    return format_number(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else str(raw)
