"""Build the official Word template (and, for the benchmark baseline, a filled document) with
python-docx, from the format data.

The template is the report skeleton: the title as ``{{ title }}``, the six section headings
verbatim from the spec, a paragraph loop per narrative section (``{%p for para in
paragraphs.overview %}`` … ``{{r para.rich }}``), and the three tables with the official merges
(``layout.py``) holding ``{{ v['t3.new.natural'] }}`` in each number cell. docxtpl renders it.
Styles carry every font (with ``w:eastAsia``) so rendered runs need no formatting of their own.
The build is deterministic (fixed package timestamps and core properties): a test proves the
committed ``templates/report-<format>.docx`` equals a fresh build.
"""
from __future__ import annotations

import datetime as _dt
import io
import zipfile
from collections.abc import Callable
from functools import lru_cache
from xml.sax.saxutils import escape as _xml_escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from ..spec import load_spec
from . import style as S
from .layout import GridCell, TableGrid, table_grids
from .text import signature_xml

TEMPLATE_VERSION = "1"
FIXED_TIME = _dt.datetime(2021, 1, 1, 0, 0, 0)
TWIPS_PER_MM = 1440 / 25.4


def _twips(mm: float) -> int:
    return int(round(mm * TWIPS_PER_MM))


# ── styles ──────────────────────────────────────────────────────────────────────────────
def _fonts(rpr_owner, name: str) -> None:
    """Set ascii/hAnsi/eastAsia/cs fonts on a style or run (python-docx sets only ascii/hAnsi)."""
    if hasattr(rpr_owner, "element"):
        rpr = rpr_owner.element.get_or_add_rPr()
    elif rpr_owner.tag == qn("w:rPr"):
        rpr = rpr_owner
    else:
        rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attr}"), name)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attr}"), None)


def _para_style(doc, name: str, font: str, size: float, *, base=None, align=None, indent_chars: int = 0,
                exact: float | None = S.LINE_PITCH_PT, outline: int | None = None, color: str | None = None,
                bold: bool = False, tighten: bool = False):
    st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = base or doc.styles["Normal"]
    st.quick_style = True
    _style_common(st, font, size, color, bold)
    pf = st.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if exact:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(exact)
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if align is not None:
        pf.alignment = align
    _indent(st.element.get_or_add_pPr(), indent_chars, size)
    if exact != S.LINE_PITCH_PT:  # off the line grid, or a 22 pt title would take two grid lines
        _append_ppr(st.element.get_or_add_pPr(), f'<w:snapToGrid {nsdecls("w")} w:val="0"/>')
    if tighten:
        _tighten(st)
    if outline is not None:
        _append_ppr(st.element.get_or_add_pPr(), f'<w:outlineLvl {nsdecls("w")} w:val="{outline}"/>')
    return st


_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
              "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
              "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
              "sectPr", "pPrChange")


def _append_ppr(ppr, xml: str) -> None:
    """Insert a pPr child in schema order (Word rejects out-of-order children)."""
    el = parse_xml(xml)
    name = el.tag.split("}")[1]
    rank = _PPR_ORDER.index(name)
    for i, child in enumerate(ppr):
        cname = child.tag.split("}")[1]
        if cname in _PPR_ORDER and _PPR_ORDER.index(cname) > rank:
            child.addprevious(el)
            return
    ppr.append(el)


def _tighten(st) -> None:
    rpr = st.element.get_or_add_rPr()
    rpr.append(parse_xml(f'<w:spacing {nsdecls("w")} w:val="{S.CHAR_SPACING_TWIPS}"/>'))


def _indent(ppr, chars: int, size: float) -> None:
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        _append_ppr(ppr, f'<w:ind {nsdecls("w")}/>')
        ind = ppr.find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(int(chars * size * 20)))


def _style_common(st, font: str, size: float, color: str | None = None, bold: bool = False) -> None:
    st.font.size = Pt(size)
    st.font.bold = bold
    if color:
        st.font.color.rgb = RGBColor.from_string(color)
    _fonts(st, font)


def _setup_styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _style_common(normal, S.FONT_BODY, S.BODY_PT)
    pf = normal.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(S.LINE_PITCH_PT)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.widow_control = False
    _indent(normal.element.get_or_add_pPr(), 2, S.BODY_PT)
    _tighten(normal)
    # document defaults: Chinese fonts and language for every run, also outside our styles
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr_default, S.FONT_BODY)
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = parse_xml(f'<w:lang {nsdecls("w")}/>')
        rpr_default.append(lang)
    lang.set(qn("w:val"), S.LATIN_LANG)
    lang.set(qn("w:eastAsia"), S.LANG)
    lang.set(qn("w:bidi"), "ar-SA")
    _para_style(doc, S.S_TITLE, S.FONT_TITLE, S.TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact=36, outline=None)
    _para_style(doc, S.S_H1, S.FONT_H1, S.BODY_PT, indent_chars=2, outline=0)
    _para_style(doc, S.S_H2, S.FONT_H2, S.BODY_PT, indent_chars=2, outline=1)
    _para_style(doc, S.S_TABLE, S.FONT_TABLE, S.TABLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None)
    _para_style(doc, S.S_FOOTER, S.FONT_PAGE_NUMBER, S.PAGE_NUMBER_PT, exact=None)
    _para_style(doc, S.S_MARK, S.FONT_H1, S.BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None,
                color=S.MARK_COLOR, bold=True)
    _para_style(doc, S.S_NOTE, S.FONT_H2, S.BODY_PT, indent_chars=2, color=S.MARK_COLOR)
    ch = styles.add_style(S.S_H2_CHAR, WD_STYLE_TYPE.CHARACTER)
    _fonts(ch, S.FONT_H2)
    # theme fonts would override the names above in Word: make the theme's East Asian font ours too
    settings = doc.settings.element
    tfl = settings.find(qn("w:themeFontLang"))
    if tfl is None:
        tfl = parse_xml(f'<w:themeFontLang {nsdecls("w")}/>')
        settings.append(tfl)
    tfl.set(qn("w:val"), S.LATIN_LANG)
    tfl.set(qn("w:eastAsia"), S.LANG)
    # Word: no line starts with 件/号/元 after a number, none ends with 〔 (LibreOffice ignores
    # these; the number clusters of text.run_xml hold there)
    csc = settings.find(qn("w:characterSpacingControl"))
    kinsoku = [parse_xml(f'<w:noLineBreaksAfter {nsdecls("w")} w:lang="{S.LANG}" w:val="{_xml_escape(S.NO_BREAK_AFTER)}"/>'),
               parse_xml(f'<w:noLineBreaksBefore {nsdecls("w")} w:lang="{S.LANG}" w:val="{_xml_escape(S.NO_BREAK_BEFORE)}"/>')]
    for el in reversed(kinsoku):
        if csc is not None:
            csc.addnext(el)
        else:
            settings.insert(0, el)


# ── page ────────────────────────────────────────────────────────────────────────────────
def _page_number_paragraph(footer, align, indent_side: str) -> None:
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.style = footer.part.document.styles[S.S_FOOTER] if hasattr(footer.part, "document") else S.S_FOOTER
    p.alignment = align
    ppr = p._p.get_or_add_pPr()
    ppr.append(parse_xml(
        f'<w:ind {nsdecls("w")} w:{indent_side}Chars="100" w:{indent_side}="{int(S.PAGE_NUMBER_PT * 20)}" '
        f'w:firstLineChars="0" w:firstLine="0"/>'))
    w = nsdecls("w")
    runs = (f'<w:r {w}><w:t xml:space="preserve">— </w:t></w:r>',
            f'<w:r {w}><w:fldChar w:fldCharType="begin"/></w:r>',
            f'<w:r {w}><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
            f'<w:r {w}><w:fldChar w:fldCharType="separate"/></w:r>',
            f'<w:r {w}><w:t>1</w:t></w:r>',
            f'<w:r {w}><w:fldChar w:fldCharType="end"/></w:r>',
            f'<w:r {w}><w:t xml:space="preserve"> —</w:t></w:r>')
    for r in runs:
        p._p.append(parse_xml(r))


def _setup_page(doc) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(S.PAGE_W_MM), Mm(S.PAGE_H_MM)
    sec.top_margin, sec.bottom_margin = Mm(S.TOP_MM), Mm(S.BOTTOM_MM)
    sec.left_margin, sec.right_margin = Mm(S.LEFT_MM), Mm(S.RIGHT_MM)
    sec.header_distance, sec.footer_distance = Mm(S.HEADER_DISTANCE_MM), Mm(S.FOOTER_DISTANCE_MM)
    sec.gutter = 0
    grid = sec._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = parse_xml(f'<w:docGrid {nsdecls("w")}/>')
        sec._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(S.LINE_PITCH_TWIPS))
    grid.attrib.pop(qn("w:charSpace"), None)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_paragraph(sec.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right")
    _page_number_paragraph(sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")
    for header in (sec.header, sec.even_page_header):  # exist (empty) so a mark can be added later
        header.is_linked_to_previous = False


# ── tables ──────────────────────────────────────────────────────────────────────────────
_BORDERS = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                   for side in ("top", "left", "bottom", "right", "insideH", "insideV"))


def _cell_runs(c: GridCell, text: str) -> str:
    """A label line by line (``GridCell.lines``: breaks between words, a vertical caption one
    character a line), else the text as one run."""
    if not text:
        return ""
    lines = c.lines if c.lines and text == c.text else (text,)
    inner = "<w:br/>".join(f'<w:t xml:space="preserve">{_xml_escape(line)}</w:t>' for line in lines)
    return f"<w:r>{inner}</w:r>"


def table_xml(grid: TableGrid, text_of: Callable[[GridCell], str]) -> str:
    """WordprocessingML of one table, drawn from the grid (``layout.py``): fixed layout, official
    merges, header rows repeated on every page, a block's rows kept on one page, labels aligned
    and broken as the grid says; ``text_of`` fills cells."""
    widths = [_twips(w) for w in grid.widths_mm]
    owner: dict[tuple[int, int], GridCell] = {}
    for c in grid.cells:
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                owner[(r, k)] = c
    keep_next = {r for first, end in grid.keep_rows for r in range(first, end - 1)}
    out = [f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
           f'<w:tblBorders>{_BORDERS}</w:tblBorders><w:tblLayout w:type="fixed"/>'
           f'<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="40" w:type="dxa"/>'
           f'<w:bottom w:w="0" w:type="dxa"/><w:right w:w="40" w:type="dxa"/></w:tblCellMar>'
           f'<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
           f'w:noHBand="0" w:noVBand="0"/></w:tblPr><w:tblGrid>']
    out += [f'<w:gridCol w:w="{w}"/>' for w in widths]
    out.append("</w:tblGrid>")
    table_style = S.style_id(S.S_TABLE)
    for r in range(grid.n_rows):
        head = "<w:tblHeader/>" if r < grid.header_rows else ""
        out.append(f"<w:tr><w:trPr><w:cantSplit/>{head}</w:trPr>")
        keep = "<w:keepNext/>" if r in keep_next else ""
        k = 0
        while k < grid.n_cols:
            c = owner[(r, k)]
            width = sum(widths[c.col:c.col + c.colspan])
            span = f'<w:gridSpan w:val="{c.colspan}"/>' if c.colspan > 1 else ""
            vmerge = "" if c.rowspan == 1 else '<w:vMerge w:val="restart"/>' if c.row == r else "<w:vMerge/>"
            text = text_of(c) if c.row == r else ""
            jc = "left" if c.align == "left" else "center"
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span}{vmerge}<w:vAlign w:val="center"/>'
                       f'</w:tcPr><w:p><w:pPr><w:pStyle w:val="{table_style}"/>{keep}<w:jc w:val="{jc}"/></w:pPr>'
                       f"{_cell_runs(c, text)}</w:p></w:tc>")
            k += c.colspan
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def placeholder(cell_id: str) -> str:
    return "{{ v['%s'] }}" % cell_id


# ── the document ────────────────────────────────────────────────────────────────────────
def _skeleton(format_id: str):
    doc = Document()
    body = doc.element.body
    for child in list(body):  # the default template's empty paragraph
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    _setup_styles(doc)
    _setup_page(doc)
    return doc


def _compose(doc, format_id: str, *, title: str, narrative: Callable[[object, str], None],
             cell_text: Callable[[GridCell], str], signature: Callable[[object], None]) -> None:
    spec = load_spec(format_id)
    grids = table_grids(format_id, S.TEXT_W_MM)
    doc.add_paragraph(title, S.S_TITLE)
    doc.add_paragraph("", "Normal")
    for sec in spec.sections:
        if sec.heading:
            doc.add_paragraph(sec.heading, S.S_H1)
        if sec.key:
            narrative(doc, sec.key)
        if sec.table:
            doc.element.body.insert_element_before(parse_xml(table_xml(grids[sec.table], cell_text)), "w:sectPr")
    signature(doc)


def _template_narrative(doc, key: str) -> None:
    doc.add_paragraph("{%p for para in paragraphs." + key + " %}", "Normal")
    doc.add_paragraph("{{r para.rich }}", "Normal")
    doc.add_paragraph("{%p endfor %}", "Normal")


def _template_cell(c: GridCell) -> str:
    if c.cell:
        return placeholder(c.cell)
    if "{{" in c.text or "{%" in c.text:  # never: labels are plain official text
        raise ValueError(f"label {c.text!r} looks like template syntax")
    return c.text


def _core(doc, title: str) -> None:
    cp = doc.core_properties
    cp.author = "gxnb-xl"
    cp.last_modified_by = "gxnb-xl"
    cp.title = title
    cp.language = S.LANG
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME
    cp.revision = 1


def normalize_zip(data: bytes) -> bytes:
    """Same parts, fixed timestamps: a package whose bytes depend only on its content."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


@lru_cache(maxsize=None)
def build_template(format_id: str = "2021") -> bytes:
    """The official Word template of one format, as .docx bytes (deterministic)."""
    spec = load_spec(format_id)
    doc = _skeleton(format_id)
    _compose(doc, format_id, title="{{r title_rich }}", narrative=_template_narrative, cell_text=_template_cell,
             signature=lambda d: d.add_paragraph("{{p signature }}", "Normal"))
    _core(doc, f"政府信息公开工作年度报告（{spec.name}）模板")
    doc.core_properties.keywords = f"gxnb-report-template format={format_id} version={TEMPLATE_VERSION} spec={spec.hash}"
    buf = io.BytesIO()
    doc.save(buf)
    return normalize_zip(buf.getvalue())


def build_document_directly(ctx: dict, format_id: str):
    """Baseline for the benchmark: the same document written with plain python-docx, no template."""
    doc = _skeleton(format_id)
    values = ctx["v"]

    def narrative(d, key):
        for para in ctx["paragraphs"].get(key, ()):
            d.add_paragraph(str(para.text), "Normal")

    def signature(d):
        for el in parse_xml(f'<w:body {nsdecls("w")}>{signature_xml(ctx["sign"])}</w:body>'):
            d.element.body.insert_element_before(el, "w:sectPr")

    _compose(doc, format_id, title=str(ctx["title"]), narrative=narrative,
             cell_text=lambda c: str(values.get(c.cell, "")) if c.cell else c.text, signature=signature)
    return doc
