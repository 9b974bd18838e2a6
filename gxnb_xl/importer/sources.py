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

from ..errors import ReportError
from .cells import BLANK, cell_parts

TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
DOCX_SUFFIXES = (".docx",)
PDF_SUFFIXES = (".pdf",)
DOC_SUFFIXES = (".doc", ".wps", ".rtf")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb", ".et")
SUPPORTED = TEXT_SUFFIXES + HTML_SUFFIXES + DOCX_SUFFIXES + PDF_SUFFIXES + DOC_SUFFIXES + WORKBOOK_SUFFIXES
MAX_BYTES = 50 * 1024 * 1024  # a published report is well under a few MB

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
        raise ReportError(f"{name}：不支持的文件类型“{suffix or '无扩展名'}”（可用 .txt .html .htm .docx .doc .pdf .xlsx .xls .ods）",
                          f"{name}: unsupported file type {suffix or '(none)'!r} (use .txt .html .htm .docx .doc .pdf .xlsx .xls .ods)")
    data = read_bytes(p)
    if not data.strip():
        raise ReportError(f"{name}：文件为空", f"{name}: the file is empty")
    if suffix in WORKBOOK_SUFFIXES:
        from .workbook import workbook_text
        return workbook_text(p, data), "workbook"
    if suffix in PDF_SUFFIXES or data[:5] == b"%PDF-":
        from .pdf import pdf_text
        return pdf_text(data, name), "pdf"
    if suffix in DOC_SUFFIXES or data[:8] == OLE_MAGIC:
        from .doc import doc_to_docx
        return docx_text(doc_to_docx(p, data), name).replace("\u2060", ""), "doc"
    if suffix in DOCX_SUFFIXES:
        # gxnb render glues numbers to their 件/号/年 with WORD JOINERs (no line break inside)
        return docx_text(data, name).replace("\u2060", ""), "docx"
    text, encoding = decode_text(data, name)
    if suffix in HTML_SUFFIXES or _looks_html(text):
        return html_text(text, name), "html"
    return text, "text"


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_bytes(p: Path) -> bytes:
    """The file's bytes: regular files only (a FIFO or device would block or never end), size-capped."""
    import stat
    name = p.name
    try:
        st = p.stat()
    except OSError as exc:
        raise ReportError(f"{name}：无法读取（{exc.strerror}）", f"{name}: cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(st.st_mode):
        raise ReportError(f"{name}：不是普通文件（管道、设备或套接字），不读取", f"{name}: not a regular file (pipe, device or socket)")
    if st.st_size > MAX_BYTES:
        raise ReportError(f"{name}：文件过大（{st.st_size // (1024 * 1024)} MB），不像一份年度报告",
                          f"{name}: too large ({st.st_size // (1024 * 1024)} MB) for an annual report")
    try:
        with open(p, "rb") as fh:
            return fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ReportError(f"{name}：无法读取（{exc.strerror}）", f"{name}: cannot be read ({exc.strerror})") from None


def _looks_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or ("<body" in head and "</" in head)


# the most frequent characters of Chinese government prose, simplified and traditional: a decoding
# that yields many of them is the right one (GB18030 decodes almost any bytes, but into rare characters)
_COMMON = set("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图统接知较将组见计别手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容须际商非验连断深难近千周委素技备半办青省列习响约支般史感劳便团往历市克何除消构府称太准精值号率族维划选标写存候亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
              "這為個國來們時說產種後學經進著電裡現實兩體機當點從業應開還義間樣與關線內數質氣變條沒結問軍題黨員頭資邊級圖統較將組見計別運農幾區強決戰則據處隊給門導壓爭濟階術極聯認權證轉單風帶場車務萬達積議聲報鬥類離華確張馬節話況溫傳許廣記需織裝響約團歷稱準劃選標寫親專狀廠識屬圓調滿縣參紅細聽該鐵價嚴")


def decode_text(data: bytes, name: str = "") -> tuple[str, str]:
    """(text, encoding) of a text file as Notepad, WPS, a browser or a crawler saved it.

    UTF-8 (with or without BOM), UTF-16 (with BOM, or without one but with its zero bytes),
    GB18030 (GBK, GB2312) and Big5 are tried; between legacy encodings that all decode, the one
    giving the most common Chinese characters wins. Raises ReportError naming what was tried.
    """
    if data[:3] == b"\xef\xbb\xbf":
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff"), "utf-16"
    sample = data[:4000]
    if len(sample) >= 4:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) // 2
        if odd > half * 0.3 and even < half * 0.05:
            return data.decode("utf-16-le", errors="replace"), "utf-16-le"
        if even > half * 0.3 and odd < half * 0.05:
            return data.decode("utf-16-be", errors="replace"), "utf-16-be"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = None
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        cjk = [c for c in text[:20000] if "\u4e00" <= c <= "\u9fff"]
        score = sum(c in _COMMON for c in cjk) / max(1, len(cjk))
        if best is None or score > best[0]:
            best = (score, text, enc)
    if best is None:
        raise ReportError(f"{name}：无法识别文字编码（已尝试 UTF-8、UTF-16、GB18030/GBK、Big5），请另存为 UTF-8 文本",
                          f"{name}: unknown text encoding (tried UTF-8, UTF-16, GB18030/GBK, Big5); save as UTF-8")
    return best[1], best[2]


def decode(data: bytes) -> str:
    """Text of a file saved by a browser or an editor (see decode_text)."""
    try:
        return decode_text(data)[0]
    except ReportError:
        return data.decode("utf-8", errors="replace")




# ── HTML ──────────────────────────────────────────────────────────────────────────────
_BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article",
               "header", "footer", "tr", "table", "title", "pre", "blockquote", "ul", "ol", "dd", "dt",
               "td", "th", "tbody", "thead"}
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
        if tag == "table" and el.find(".//table") is None:
            # a data table (a table holding other tables is page layout, walked as blocks)
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
            t = cell_parts([s for s in c.itertext()])
            texts.append(t if t else BLANK)
        if texts:
            lines.append(" | ".join(texts))


# ── DOCX ──────────────────────────────────────────────────────────────────────────────
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# the element names, spelled once (not an f-string per element visited)
_P, _TBL, _SDT, _BODY, _T, _TAB, _BR, _CR = (f"{_W}{n}" for n in ("p", "tbl", "sdt", "body", "t", "tab", "br", "cr"))
_TR, _TC, _TCPR, _VMERGE, _VAL = (f"{_W}{n}" for n in ("tr", "tc", "tcPr", "vMerge", "val"))


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
    body = root.find(_BODY)
    lines: list[str] = []
    for el in (body if body is not None else []):
        if el.tag == _P:
            t = _para_text(el)
            if t.strip():
                lines.append(t.strip())
        elif el.tag == _TBL:
            _docx_table(el, lines)
        elif el.tag == _SDT:
            for p in el.iter(_P):
                t = _para_text(p)
                if t.strip():
                    lines.append(t.strip())
    return "\n".join(lines)


def _para_text(p) -> str:
    out = []
    for node in p.iter(_T, _TAB, _BR, _CR):
        if node.tag == _T:
            out.append(node.text or "")
        elif node.tag == _TAB:
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _docx_table(tbl, lines: list[str]) -> None:
    for tr in tbl.findall(_TR):
        texts = []
        for tc in tr.findall(_TC):
            pr = tc.find(_TCPR)
            if pr is not None:
                vm = pr.find(_VMERGE)
                if vm is not None and vm.get(_VAL) in (None, "continue"):
                    continue  # continuation of a vertically merged cell: shown once, above
            t = cell_parts([_para_text(p) for p in tc.iter(_P)])
            texts.append(t if t else BLANK)
        if texts:
            lines.append(" | ".join(texts))
