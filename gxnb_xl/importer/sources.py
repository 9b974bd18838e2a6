"""Turn a published file (.txt, .html/.htm, .docx) into plain text lines.

Tables become one line per row with cells joined by `` | `` — the same shape as text copied
from a web page — so one reader serves every source. Merged cells are emitted once (a
vertically merged continuation is skipped, as a browser shows it); an empty data cell becomes
``∅`` so a blank cell keeps its position.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..report import ReportError

BLANK = "∅"  # an empty table cell (kept so later cells do not shift)
TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
DOCX_SUFFIXES = (".docx",)
SUPPORTED = TEXT_SUFFIXES + HTML_SUFFIXES + DOCX_SUFFIXES

_WS = re.compile(r"[ \t\r\n\u3000\u00a0]+")


def read_source(path: str | Path) -> tuple[str, str]:
    """(text, kind) of a published report file. Raises ReportError when it cannot be used."""
    p = Path(path)
    name = p.name
    suffix = p.suffix.lower()
    if not p.exists():
        raise ReportError(f"{name}：文件不存在", f"{name}: no such file")
    if p.is_dir():
        raise ReportError(f"{name}：是文件夹，不是报告文件", f"{name}: is a folder, not a report file")
    if suffix not in SUPPORTED:
        raise ReportError(f"{name}：不支持的文件类型“{suffix or '无扩展名'}”（可用 .txt .html .htm .docx；"
                          f"PDF 请先另存为文本）",
                          f"{name}: unsupported file type {suffix or '(none)'!r} (use .txt .html .htm .docx; "
                          f"save a PDF as text first)")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ReportError(f"{name}：无法读取（{exc.strerror}）", f"{name}: cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise ReportError(f"{name}：文件为空", f"{name}: the file is empty")
    if suffix in DOCX_SUFFIXES:
        # gxnb render glues numbers to their 件/号/年 with WORD JOINERs (no line break inside)
        return docx_text(data, name).replace("\u2060", ""), "docx"
    text = decode(data)
    if suffix in HTML_SUFFIXES:
        return html_text(text, name), "html"
    return text, "text"


def decode(data: bytes) -> str:
    """Text of a file saved by a browser or an editor: UTF-8 (with or without BOM), else GB18030."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _cell_text(parts: list[str]) -> str:
    text = _WS.sub(" ", " ".join(parts)).strip()
    return text.replace("|", "｜")


# ── HTML ──────────────────────────────────────────────────────────────────────────────
_BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article",
               "header", "footer", "tr", "table", "title", "pre", "blockquote", "ul", "ol", "dd", "dt"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "head"}


def html_text(text: str, name: str = "") -> str:
    try:
        import lxml.html
        from lxml import etree
    except ImportError:  # pragma: no cover - lxml is a dependency
        raise ReportError(f"{name}：缺少 lxml，无法读取网页", f"{name}: lxml is missing; cannot read HTML") from None
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        raise ReportError(f"{name}：无法解析网页内容", f"{name}: cannot parse the web page") from None
    title = root.find(".//title")
    lines: list[str] = []
    buf: list[str] = []

    def flush():
        line = _WS.sub(" ", "".join(buf)).strip()
        if line:
            lines.append(line)
        buf.clear()

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP_TAGS or not tag:
            if el.tail:
                buf.append(el.tail)
            return
        if tag == "table":
            flush()
            _html_table(el, lines)
        else:
            if tag in _BLOCK_TAGS:
                flush()
            if el.text:
                buf.append(el.text)
            for child in el:
                walk(child)
            if tag in _BLOCK_TAGS:
                flush()
        if el.tail:
            buf.append(el.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    if title is not None and title.text and not lines:
        lines.append(title.text.strip())
    return "\n".join(lines)


def _html_table(table, lines: list[str]) -> None:
    for tr in table.iter("tr"):
        # nested tables: their rows are visited by iter() too; keep only direct cells
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
        texts = []
        for c in cells:
            t = _cell_text([s for s in c.itertext()])
            texts.append(t if t else BLANK)
        if texts:
            lines.append(" | ".join(texts))


# ── DOCX ──────────────────────────────────────────────────────────────────────────────
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_text(data: bytes, name: str = "") -> str:
    import io

    from lxml import etree
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = z.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        raise ReportError(f"{name}：不是有效的 Word 文档（.docx）；如为旧版 .doc 请另存为 .docx",
                          f"{name}: not a valid Word document (.docx); save an old .doc as .docx") from None
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError:
        raise ReportError(f"{name}：Word 文档内容已损坏", f"{name}: the Word document is damaged") from None
    body = root.find(f"{_W}body")
    lines: list[str] = []
    for el in (body if body is not None else []):
        if el.tag == f"{_W}p":
            t = _para_text(el)
            if t.strip():
                lines.append(t.strip())
        elif el.tag == f"{_W}tbl":
            _docx_table(el, lines)
        elif el.tag == f"{_W}sdt":
            for p in el.iter(f"{_W}p"):
                t = _para_text(p)
                if t.strip():
                    lines.append(t.strip())
    return "\n".join(lines)


def _para_text(p) -> str:
    out = []
    for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            out.append(node.text or "")
        elif node.tag == f"{_W}tab":
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _docx_table(tbl, lines: list[str]) -> None:
    for tr in tbl.findall(f"{_W}tr"):
        texts = []
        for tc in tr.findall(f"{_W}tc"):
            pr = tc.find(f"{_W}tcPr")
            if pr is not None:
                vm = pr.find(f"{_W}vMerge")
                if vm is not None and vm.get(f"{_W}val") in (None, "continue"):
                    continue  # continuation of a vertically merged cell: shown once, above
            t = _cell_text([_para_text(p) for p in tc.iter(f"{_W}p")])
            texts.append(t if t else BLANK)
        if texts:
            lines.append(" | ".join(texts))
