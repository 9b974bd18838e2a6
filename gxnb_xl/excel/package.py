"""What calamine does not tell, read from the package XML in one linear pass per sheet.

For .xlsx: every sheet's used extent judged by the cells that hold something (LibreOffice writes an
empty ``<row r="1048576">`` and a ``<dimension>`` to the last row after a row is deleted), formulas
typed into input cells, error values (#REF!, #DIV/0!, which calamine shows as empty) and sheet
protection; the sheet name → part map and the hidden metadata rows. ``.ods`` (content.xml) and
``.xls`` (BIFF records) give the same facts through ``ods_facts`` / ``xls_facts``.
"""
from __future__ import annotations

import re
import zlib

from .. import lazyre
from .layout import META_SHEET, a1

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms at every start)
if TYPE_CHECKING:  # annotations only: zipfile is imported where it is used
    import zipfile

_VALUE = lazyre.compile(rb"<v>([^<]{0,40})</v>")
# cells that hold something: an opening <c …> that is not self-closing (<c r="A1" s="3"/> is formatting only)
_FULL_CELLS = lazyre.compile(rb"<c\s[^>]*?\br\s*=\s*[\"']([A-Za-z]{1,8})(\d{1,12})[\"'][^>]*(?<!/)>")
_CELL_R = lazyre.compile(rb"\br\s*=\s*[\"']([A-Za-z]{1,8})(\d{1,12})[\"']")
_CELL_OPEN = lazyre.compile(rb"<c\s([^>]*)>")
_CELL_ERROR = lazyre.compile(rb"\bt\s*=\s*[\"']e[\"']")
_FORMULA = lazyre.compile(rb"<f[\s>/]")


def _col_number(letters: bytes) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col


class SheetXml:
    """What calamine does not tell: the extent of the cells that hold something, and (when asked)
    formulas, error values and protection, keyed by A1 address.

    Linear whatever the file holds: the extent is one regex pass; for formulas and errors the XML is cut
    at every ``</c>``, and only a piece that holds ``<f`` or ``t="e"`` is looked at, from its last
    ``<c`` (pieces are disjoint, so 400 k stray ``<f`` tokens cost one pass, not one pass each)."""

    __slots__ = ("formulas", "errors", "protected", "rows", "cols")

    def __init__(self, xml: bytes, details: bool = True):
        self.protected = b"<sheetProtection" in xml
        self.formulas: set[str] = set()
        self.errors: dict[str, str] = {}
        refs = _FULL_CELLS.findall(xml)
        self.rows = max((int(d) for _, d in refs), default=0)
        self.cols = max(map(_col_number, {letters for letters, _ in refs}), default=0)
        if not details:
            return
        for piece in xml.split(b"</c>"):
            formula = b"<f" in piece and _FORMULA.search(piece)
            error = b"t=" in piece and _CELL_ERROR.search(piece)
            if not formula and not error:
                continue
            start = piece.rfind(b"<c")
            while start >= 0 and piece[start + 2:start + 3] not in (b" ", b"\t", b"\r", b"\n"):
                start = piece.rfind(b"<c", 0, start)
            if start < 0:
                continue
            m = _CELL_OPEN.match(piece, start)
            if m is None or m.group(1).endswith(b"/"):
                continue
            r = _CELL_R.search(m.group(1))
            if r is None:
                continue
            addr = (r.group(1).upper() + r.group(2)).decode("ascii")
            if formula and formula.start() > start:
                self.formulas.add(addr)
            if _CELL_ERROR.search(m.group(1)):
                v = _VALUE.search(piece, m.end())
                self.errors[addr] = v.group(1).decode("utf-8", "replace") if v else "#VALUE!"


class Package:
    """The .xlsx zip, opened once: sheet name → part, scanned sheet XML (cached)."""

    def __init__(self, z: zipfile.ZipFile):
        self.zip = z
        import zipfile  # for its exceptions; imported here, off the fast path
        try:
            self.parts = sheet_parts(self.zip)
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError):
            self.parts = {}
        self._scanned: dict[str, SheetXml | None] = {}

    def sheet(self, name: str, details: bool = True) -> SheetXml | None:
        import zipfile  # for its exceptions; imported here, off the fast path
        if name not in self._scanned:
            part = self.parts.get(name)
            scanned = None
            if part is not None:
                try:
                    scanned = SheetXml(self.zip.read(part), details)
                except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError):
                    scanned = None
            self._scanned[name] = scanned
        return self._scanned[name]

    def close(self):
        self.zip.close()


_ROW_XML = lazyre.compile(rb"<row\b[^>]*>(.*?)</row>", re.S)


_CELL_XML = lazyre.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)


_ATTR_R = lazyre.compile(rb"\sr=\"([A-Z]+)\d+\"")


_ATTR_T = lazyre.compile(rb"\st=\"(\w+)\"")


_T_TEXT = lazyre.compile(rb"<t\b[^>]*>([^<]*)</t>")


_SI = lazyre.compile(rb"<si>(.*?)</si>", re.S)


def meta_from_xml(pkg: Package) -> dict:
    """The metadata rows straight from the sheet XML of an .xlsx: calamine would materialise the whole
    hidden sheet (its cell map is most of the file's cells) to give us a dozen strings. {} when unsure."""
    import html
    import zipfile
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


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
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


# ── .ods: content.xml ─────────────────────────────────────────────────────────────────────
MAX_REPEAT_ROWS = 100_000  # rows beyond this hold nothing we read (the tables are a few dozen rows)
_ODS_TOKENS = lazyre.compile(
    rb"<table:table(?=[\s/>])([^>]*)>|</table:table>|<table:table-row(?=[\s/>])([^>]*)>|</table:table-row>"
    rb"|<table:(?:covered-)?table-cell(?=[\s/>])([^>]*)>|<text:p\b[^>]*>([^<]{0,40})")
_ODS_NAME = lazyre.compile(rb"\btable:name\s*=\s*\"([^\"]*)\"")
_ODS_PROTECTED = lazyre.compile(rb"\btable:protected\s*=\s*\"true\"")
_ODS_ROWS = lazyre.compile(rb"\btable:number-rows-repeated\s*=\s*\"(\d{1,9})\"")
_ODS_COLS = lazyre.compile(rb"\btable:number-columns-repeated\s*=\s*\"(\d{1,9})\"")
_ODS_FORMULA = lazyre.compile(rb"\btable:formula\s*=")
_ODS_ERROR = lazyre.compile(rb"\bcalcext:value-type\s*=\s*\"error\"")


class Facts:
    """Formulas, error values and protection of one sheet of an .ods or .xls (same shape as SheetXml)."""

    __slots__ = ("formulas", "errors", "protected", "rows", "cols")

    def __init__(self):
        self.formulas: set[str] = set()
        self.errors: dict[str, str] = {}
        self.protected = False
        self.rows = self.cols = 0


_ODS_TABLE = lazyre.compile(rb"<table:table(?=[\s/>])([^>]*)>")


class OdsFacts:
    """content.xml of an .ods: sheet name → Facts, each sheet scanned when first asked for (the 校验
    and hidden sheets, most of the file, are never scanned). Linear; repeats bounded."""

    def __init__(self, z: zipfile.ZipFile):
        self.sheets: dict[str, Facts | None] = {}
        import zipfile  # for its exceptions; imported here, off the fast path
        self._spans: dict[str, tuple[int, int, bool]] = {}
        try:
            self._xml = z.read("content.xml")
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError):
            self._xml = b""
            return
        import html
        pos = 0
        while True:
            m = _ODS_TABLE.search(self._xml, pos)
            if m is None:
                break
            end = self._xml.find(b"</table:table>", m.end())
            end = len(self._xml) if end < 0 else end
            name = _ODS_NAME.search(m.group(1))
            if name:
                self._spans.setdefault(html.unescape(name.group(1).decode("utf-8", "replace")),
                                       (m.end(), end, _ODS_PROTECTED.search(m.group(1)) is not None))
            pos = end

    def sheet(self, name: str, details: bool = True) -> Facts | None:
        if name not in self.sheets:
            span = self._spans.get(name)
            self.sheets[name] = None if span is None else _ods_sheet(self._xml, *span)
        return self.sheets[name]


def _ods_sheet(xml: bytes, start: int, end: int, protected: bool) -> Facts:
    import html
    facts = Facts()
    facts.protected = protected
    row = col = 0
    repeat = 1  # the open row's table:number-rows-repeated
    error_at = None
    for m in _ODS_TOKENS.finditer(xml, start, end):
        _, row_attrs, cell_attrs, text = m.groups()
        token = m.group(0)
        if row_attrs is not None:
            col = 0
            repeat = _repeat(_ODS_ROWS, row_attrs)
            if row_attrs.endswith(b"/"):
                row += repeat
        elif token == b"</table:table-row>":
            row += repeat
        elif cell_attrs is not None:
            span = _repeat(_ODS_COLS, cell_attrs)
            error_at = None
            if row < MAX_REPEAT_ROWS and col < 16384:
                if _ODS_FORMULA.search(cell_attrs):
                    facts.formulas.add(a1(row, col))
                if _ODS_ERROR.search(cell_attrs):
                    error_at = a1(row, col)
                    facts.errors[error_at] = "#VALUE!"
            col += span
        elif text is not None and error_at is not None:
            facts.errors[error_at] = html.unescape(text.decode("utf-8", "replace"))
            error_at = None
    return facts


def _repeat(pattern, attrs: bytes) -> int:
    m = pattern.search(attrs)
    return min(int(m.group(1)), MAX_REPEAT_ROWS) if m else 1


# ── .xls: BIFF8 records of the Workbook stream ───────────────────────────────────────────
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A"}


class XlsFacts:
    """The BIFF8 records calamine does not surface: FORMULA (with its cached error, if any), BOOLERR
    error constants and PROTECT, per sheet. Reads the Workbook stream once; every loop is bounded by
    the stream's length."""

    def __init__(self, data: bytes):
        self.sheets: dict[str, Facts | None] = {}
        self._wb, self._offsets = b"", {}
        try:
            import olefile
            with olefile.OleFileIO(data) as ole:
                stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
                if stream is None:
                    return
                wb = ole.openstream(stream).read()
        except Exception:  # noqa: BLE001 - olefile raises many types on a damaged container; facts are optional
            return
        import struct
        sheets = []
        pos = 0
        while pos + 4 <= len(wb):  # globals: BOUNDSHEET8 until the first EOF
            rtype, size = struct.unpack_from("<HH", wb, pos)
            body = wb[pos + 4:pos + 4 + size]
            pos += 4 + size
            if rtype == 0x000A:
                break
            if rtype == 0x0085 and len(body) >= 8:
                offset, cch, high = struct.unpack_from("<I", body)[0], body[6], body[7] & 1
                raw = body[8:8 + cch * (2 if high else 1)]
                sheets.append((raw.decode("utf-16-le" if high else "latin-1", "replace"), offset))
        self._wb = wb
        self._offsets = dict(sheets)

    def sheet(self, name: str, details: bool = True) -> Facts | None:
        """One sheet's substream, parsed when first asked for (the hidden cell map is never parsed)."""
        if name not in self.sheets:
            offset = self._offsets.get(name)
            self.sheets[name] = None if offset is None else _biff_sheet(self._wb, offset)
        return self.sheets[name]


def _biff_sheet(wb: bytes, offset: int) -> Facts:
    import struct
    facts = Facts()
    pos = offset
    while pos + 4 <= len(wb):
        rtype, size = struct.unpack_from("<HH", wb, pos)
        body = wb[pos + 4:pos + 4 + size]
        pos += 4 + size
        if rtype == 0x000A:
            break
        if rtype == 0x0012 and len(body) >= 2:
            facts.protected = body[0] == 1 or facts.protected
        elif rtype == 0x0006 and len(body) >= 14:
            r, c = struct.unpack_from("<HH", body)
            addr = a1(r, c)
            facts.formulas.add(addr)
            if body[6] == 0x02 and body[12:14] == b"\xff\xff":
                facts.errors[addr] = _BIFF_ERRORS.get(body[8], "#VALUE!")
        elif rtype == 0x0205 and len(body) >= 8 and body[7] == 1:
            r, c = struct.unpack_from("<HH", body)
            facts.errors[a1(r, c)] = _BIFF_ERRORS.get(body[6], "#VALUE!")
    return facts
