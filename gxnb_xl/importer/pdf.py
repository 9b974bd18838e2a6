"""A PDF's text layer back into lines and table rows (pypdfium2: PDFium, Apache-2.0/BSD-3).

Text order alone is not enough for tables: a PDF draws a cell's text wherever the layout put it
(a vertical caption “三、本年度办理结果” one character per line, a wrapped label above its
numbers). So tables are rebuilt from geometry:

1. the ruling lines of each page (thin filled rectangles and stroked paths, as Word, WPS and
   LibreOffice draw cell borders) are collected and grouped into tables;
2. their x and y positions give a grid; two neighbouring grid cells with no ruling between them
   are one merged cell (rowspan/colspan), exactly as in the web page or the Word file;
3. each cell's text is the text inside its box; a row becomes ``cell | cell | …`` with ``∅`` for an
   empty cell, like the other sources, and the one table reader does the rest;
4. text outside the tables is read band by band, top to bottom.

Why pypdfium2 rather than pdfplumber (pdfminer.six): on the same files it is several times faster
(see ``benchmarks/import.py``) and its text extraction is as good for CJK; the grid step above
is ours either way. A PDF with pages but no text layer is a scan: refused with a clear message.
"""
from __future__ import annotations

import ctypes
import re

from ..errors import ReportError
from ..record import record
from .cells import BLANK, cell_text
from .text import NUMBERING, drop_chrome, norm

THIN = 2.5  # points: a filled rectangle thinner than this is a ruling line
SNAP = 2.0  # points: positions closer than this are the same grid line
COVER = 0.7  # a border counts as drawn when rulings cover this share of it
MAX_PAGES = 300
MAX_GRID = 4000  # grid cells per table (a page of hatching is not a table)


@record
class _Rule:
    """A ruling line of a PDF table."""

    horizontal: bool
    at: float  # y for horizontal, x for vertical
    lo: float
    hi: float


def pdf_text(data: bytes, name: str = "") -> str:
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - a dependency
        raise ReportError(f"{name}：缺少 pypdfium2，无法读取 PDF", f"{name}: pypdfium2 is missing; cannot read PDF") from None
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text:
            raise ReportError(f"{name}：PDF 设置了打开密码，无法读取", f"{name}: the PDF is password-protected") from None
        raise ReportError(f"{name}：不是有效的 PDF 文件或文件已损坏", f"{name}: not a valid PDF, or damaged") from None
    try:
        n = len(pdf)
        if n == 0:
            raise ReportError(f"{name}：PDF 没有页面", f"{name}: the PDF has no pages")
        if n > MAX_PAGES:
            raise ReportError(f"{name}：PDF 有 {n} 页，超过 {MAX_PAGES} 页，不像一份年度报告",
                              f"{name}: {n} pages (over {MAX_PAGES}); not an annual report")
        blocks: list = []  # str (a line of text) or list[str] (a table row's cells)
        chars = 0
        for i in range(n):
            page = pdf[i]
            try:
                tp = page.get_textpage()
                try:
                    chars += tp.count_chars()
                    _add_page(blocks, _page_blocks(page, tp))
                finally:
                    tp.close()
            finally:
                page.close()
        out = [" | ".join(c[2] for c in b) if isinstance(b, list) else b for b in blocks]
        if chars < 20 * n and not any(ln.strip() for ln in out):
            raise ReportError(f"{name}：扫描件，没有文字层，无法读取；请提供 Word 或网页版本",
                              f"{name}: a scanned PDF without a text layer; please provide the Word or web version")
        return "\n".join(out)
    finally:
        pdf.close()


def _rules(page) -> list[_Rule]:
    import pypdfium2.raw as raw
    out = []
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=4):
        try:
            x0, y0, x1, y1 = obj.get_bounds()
        except Exception:  # noqa: BLE001 - a path without bounds draws nothing we need
            continue
        w, h = x1 - x0, y1 - y0
        if w <= THIN and h > THIN:
            out.append(_Rule(False, (x0 + x1) / 2, y0, y1))
        elif h <= THIN and w > THIN:
            out.append(_Rule(True, (y0 + y1) / 2, x0, x1))
        elif w > THIN and h > THIN:
            # a stroked rectangle draws its four edges; a filled one is shading, not a border
            if raw.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill), ctypes.byref(stroke)) and stroke.value:
                out += [_Rule(True, y0, x0, x1), _Rule(True, y1, x0, x1),
                        _Rule(False, x0, y0, y1), _Rule(False, x1, y0, y1)]
    return out


def _groups(rules: list[_Rule]) -> list[list[_Rule]]:
    """Rulings that touch each other form one table."""
    parent = list(range(len(rules)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, r in enumerate(rules) if r.horizontal]
    vs = [i for i, r in enumerate(rules) if not r.horizontal]
    for i in hs:
        h = rules[i]
        for j in vs:
            v = rules[j]
            if h.lo - SNAP <= v.at <= h.hi + SNAP and v.lo - SNAP <= h.at <= v.hi + SNAP:
                parent[find(i)] = find(j)
    groups: dict[int, list[_Rule]] = {}
    for i in range(len(rules)):
        groups.setdefault(find(i), []).append(rules[i])
    return [g for g in groups.values() if sum(r.horizontal for r in g) >= 2 and sum(not r.horizontal for r in g) >= 2]


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= SNAP:
            continue
        out.append(v)
    return out


def _covered(rules: list[_Rule], at: float, lo: float, hi: float) -> bool:
    need = (hi - lo) * COVER
    got = 0.0
    for r in rules:
        if abs(r.at - at) <= SNAP:
            got += max(0.0, min(hi, r.hi) - max(lo, r.lo))
    return got >= need


def _add_page(blocks: list, page: list) -> None:
    """Append a page's blocks; a table row that a page break cut in two is put back together: the
    page's first row continues the last row of the previous page when it holds no number and the
    previous one does (Word lets a row break across pages: "（一）予以公" | "开"). Cells are matched
    by their horizontal position (the continuation repeats merged cells the previous part did not)."""
    prev = next((b for b in reversed(blocks) if isinstance(b, list) or b.strip()), None)
    first = next((k for k, b in enumerate(page) if isinstance(b, list) or b.strip()), None)
    if isinstance(prev, list) and first is not None and isinstance(page[first], list):
        row = page[first]
        digits = lambda cells: any(ch.isdigit() for c in cells for ch in c[2])  # noqa: E731
        # the continuation has the same column boundaries as the cut row (a repeated header does not)
        same = all(any(abs(x0 - a) <= SNAP and abs(x1 - b) <= SNAP for a, b, _ in row) for x0, x1, _ in prev)
        if same and not digits(row) and digits(prev):
            for x0, x1, text in row:
                if text == BLANK:
                    continue
                k = max(range(len(prev)), key=lambda j: min(x1, prev[j][1]) - max(x0, prev[j][0]))
                if min(x1, prev[k][1]) - max(x0, prev[k][0]) <= 0:
                    continue  # the rest of a cell merged over earlier rows: already printed above
                px0, px1, ptext = prev[k]
                prev[k] = (px0, px1, text if ptext == BLANK else ptext + text)
            page = page[first + 1:]
    blocks.extend(page)


def _table_rows(tp, group: list[_Rule]) -> tuple[float, float, list[list[tuple]]]:
    """(top, bottom, rows of (x0, x1, text) cells) of one ruled table."""
    xs = _snap([r.at for r in group if not r.horizontal])
    ys = _snap([r.at for r in group if r.horizontal])[::-1]  # top to bottom (PDF y grows upward)
    nr, nc = len(ys) - 1, len(xs) - 1
    if nr < 1 or nc < 1 or nr * nc > MAX_GRID:
        return ys[0], ys[-1], []
    hrules = [r for r in group if r.horizontal]
    vrules = [r for r in group if not r.horizontal]
    owner = list(range(nr * nc))

    def find(i):
        while owner[i] != i:
            owner[i] = owner[owner[i]]
            i = owner[i]
        return i

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _covered(vrules, xs[c + 1], ys[r + 1], ys[r]):
                owner[find(r * nc + c + 1)] = find(r * nc + c)
            if r + 1 < nr and not _covered(hrules, ys[r + 1], xs[c], xs[c + 1]):
                owner[find((r + 1) * nc + c)] = find(r * nc + c)
    boxes: dict[int, list[int]] = {}  # root → [r0, c0, r1, c1]
    for r in range(nr):
        for c in range(nc):
            b = boxes.setdefault(find(r * nc + c), [r, c, r, c])
            b[0], b[1] = min(b[0], r), min(b[1], c)
            b[2], b[3] = max(b[2], r), max(b[3], c)
    rows = []
    for r in range(nr):
        cells = []
        for c in range(nc):
            root = find(r * nc + c)
            r0, c0, r1, c1 = boxes[root]
            if (r0, c0) != (r, c):
                continue  # inside a merged cell, shown once at its top-left
            text = tp.get_text_bounded(left=xs[c0] + 0.5, bottom=ys[r1 + 1] + 0.5, right=xs[c1 + 1] - 0.5, top=ys[r0] - 0.5)
            t = cell_text(_join_lines(text))
            cells.append((xs[c0], xs[c1 + 1], t if t else BLANK))
        if any(x[2] != BLANK for x in cells):
            rows.append(cells)
    return ys[0], ys[-1], rows


def _join_lines(text: str) -> str:
    """A cell's wrapped lines: CJK continues without a space, other text with one."""
    parts = [p.strip() for p in text.replace("\r", "\n").split("\n") if p.strip()]
    out = ""
    for p in parts:
        if out and (out[-1].isascii() and p[0].isascii()):
            out += " "
        out += p
    return out


def _page_blocks(page, tp) -> list:
    width, height = page.get_size()
    tables = []
    for group in _groups(_rules(page)):
        top, bottom, rows = _table_rows(tp, group)
        if rows:
            tables.append((top, bottom, rows))
    tables.sort(key=lambda t: -t[0])
    out: list[str] = []
    y = height
    for top, bottom, rows in tables:
        if top < y:
            out.extend(_band(tp, width, top, y))
        out.extend(rows)
        y = min(y, bottom)
    out.extend(_band(tp, width, 0, y))
    return out


def _band(tp, width: float, bottom: float, top: float) -> list[str]:
    if top - bottom < 1:
        return []
    text = tp.get_text_bounded(left=0, bottom=bottom, right=width, top=top)
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _paragraphs(drop_chrome([ln for ln in lines if ln]))


# a report title starting on this line ("某某镇 2024年政府信息公开…"): never the tail of the line before
_TITLE_START = re.compile(r"(?:19|20)\d{2}\s*年\s*度?\s*(?:政府|政务)\s*信息\s*公开")


def _width(line: str) -> float:
    """Printed width in CJK characters (Latin letters, digits and spaces are about half as wide)."""
    return sum(1.0 if ord(c) > 0x2E80 else 0.5 for c in line)


_ENDS = "。！？；：:;!?）)】」』”"


def _paragraphs(lines: list[str]) -> list[str]:
    """Join the lines a PDF wrapped at the page edge back into paragraphs: a line as long as the
    band's full lines that does not end a sentence continues on the next line."""
    if len(lines) < 2:
        return lines
    widths = [_width(ln) for ln in lines]
    full = sorted(widths)[int(len(widths) * 0.9)] if len(widths) >= 5 else max(widths)
    out: list[str] = []
    joining = False
    for ln, w in zip(lines, widths):
        title = _TITLE_START.search(ln)
        if joining and not NUMBERING.match(norm(ln)) and not (title and title.start() < 40):
            sep = " " if out[-1][-1:].isascii() and ln[:1].isascii() and out[-1][-1:].isalnum() else ""
            out[-1] = out[-1] + sep + ln
        else:
            out.append(ln)
        joining = w >= 0.85 * full and full >= 12 and ln[-1] not in _ENDS
    return out
