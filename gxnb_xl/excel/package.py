"""What calamine does not tell, read from the package XML in one linear pass per sheet.

For .xlsx: every sheet's used extent judged by the cells that hold something (LibreOffice writes an
empty ``<row r="1048576">`` and a ``<dimension>`` to the last row after a row is deleted), formulas
typed into input cells, error values (#REF!, #DIV/0!, which calamine shows as empty) and sheet
protection; the sheet name → part map and the hidden metadata rows. ``.ods`` (content.xml) and
``.xls`` (BIFF records) give the same facts through ``ods_facts`` / ``xls_facts``.
"""
from __future__ import annotations

import re
import zipfile
import zlib

from .layout import META_SHEET

_REFS = re.compile(rb"r=[\"']([A-Za-z]{0,8})(\d{1,12})")


_ADDR = re.compile(rb"\sr=\"([A-Z]{1,3}\d{1,7})\"")


_VALUE = re.compile(rb"<v>([^<]{0,40})</v>")


def _col_number(letters: bytes) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col


class SheetXml:
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


class Package:
    """The .xlsx zip, opened once: sheet name → part, scanned sheet XML (cached)."""

    def __init__(self, z: zipfile.ZipFile):
        self.zip = z
        try:
            self.parts = sheet_parts(self.zip)
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError):
            self.parts = {}
        self._scanned: dict[str, SheetXml | None] = {}

    def sheet(self, name: str, details: bool = True) -> SheetXml | None:
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


_ROW_XML = re.compile(rb"<row\b[^>]*>(.*?)</row>", re.S)


_CELL_XML = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)


_ATTR_R = re.compile(rb"\sr=\"([A-Z]+)\d+\"")


_ATTR_T = re.compile(rb"\st=\"(\w+)\"")


_T_TEXT = re.compile(rb"<t\b[^>]*>([^<]*)</t>")


_SI = re.compile(rb"<si>(.*?)</si>", re.S)


def meta_from_xml(pkg: Package) -> dict:
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
