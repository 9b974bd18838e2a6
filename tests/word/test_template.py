"""The official Word templates: committed == fresh build, and the GB/T 9704 page and type."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from gxnb_xl.spec import FORMAT_IDS, load_spec
from gxnb_xl.word import build_template, style as S

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("fmt", FORMAT_IDS)
def test_committed_template_equals_fresh_build(fmt):
    committed = (ROOT / "templates" / f"report-{fmt}.docx").read_bytes()
    build_template.cache_clear()
    assert committed == build_template(fmt), "run python scripts/build_word_templates.py"
    assert build_template(fmt) == build_template(fmt)


def _doc(fmt):
    return Document(io.BytesIO(build_template(fmt)))


def _rfonts(style):
    rfonts = style.element.rPr.rFonts
    return {a: rfonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia", "cs")}


@pytest.mark.parametrize("fmt", FORMAT_IDS)
def test_page_setup(fmt):
    doc = _doc(fmt)
    sec = doc.sections[0]
    for got, mm in ((sec.page_width, 210), (sec.page_height, 297), (sec.top_margin, 37), (sec.bottom_margin, 35), (sec.left_margin, 28), (sec.right_margin, 26)):
        assert abs(got - Mm(mm)) < Mm(0.05)
    grid = sec._sectPr.find(qn("w:docGrid"))
    # 22 lines a page: the line pitch is the text height / 22
    assert int(grid.get(qn("w:linePitch"))) == round(225 / 25.4 * 72 / 22 * 20)
    normal = doc.styles["Normal"]
    assert normal.paragraph_format.line_spacing.pt == pytest.approx(225 / 25.4 * 72 / 22, abs=0.01)
    # 28 characters a line: 16 pt characters tightened so 28 fit in 156 mm
    spacing = normal.element.rPr.find(qn("w:spacing"))
    assert 28 * (16 + int(spacing.get(qn("w:val"))) / 20) <= 156 / 25.4 * 72 < 29 * 16


@pytest.mark.parametrize("fmt", FORMAT_IDS)
def test_fonts_east_asian_and_language(fmt):
    doc = _doc(fmt)
    expect = {"Normal": ("仿宋_GB2312", 16), S.S_TITLE: ("方正小标宋简体", 22), S.S_H1: ("黑体", 16),
              S.S_H2: ("楷体_GB2312", 16), S.S_TABLE: ("仿宋_GB2312", 10.5), S.S_FOOTER: ("宋体", 14)}
    for name, (font, size) in expect.items():
        st = doc.styles[name]
        assert set(_rfonts(st).values()) == {font}, name
        assert st.font.size.pt == size, name
    assert _rfonts(doc.styles[S.S_H2_CHAR])["eastAsia"] == "楷体_GB2312"
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "en-US"  # Latin text: no breaks inside digit runs
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert doc.core_properties.language == "zh-CN"


@pytest.mark.parametrize("fmt", FORMAT_IDS)
def test_page_numbers_with_dashes_odd_right_even_left(fmt):
    doc = _doc(fmt)
    sec = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, side in ((sec.footer, "right"), (sec.even_page_footer, "left")):
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert p.style.name == S.S_FOOTER
        assert p.alignment is not None and side.upper() in str(p.alignment)
        assert "PAGE" in "".join(x.text for x in p._p.iter(qn("w:instrText")))
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert f'w:{side}Chars="100"' in xml


@pytest.mark.parametrize("fmt", FORMAT_IDS)
def test_template_text_comes_from_the_spec(fmt):
    spec = load_spec(fmt)
    doc = _doc(fmt)
    body = [p.text for p in doc.paragraphs]
    headings = [p.text for p in doc.paragraphs if p.style.name == S.S_H1]
    assert headings == [s.heading for s in spec.sections if s.heading]
    assert body[0] == "{{r title_rich }}"
    for key in spec.narrative_keys:
        assert "{%p for para in paragraphs." + key + " %}" in body
    placeholders = re.findall(r"\{\{ v\['([^']+)'\] \}\}", "".join(c.text for t in doc.tables for r in t.rows for c in r.cells))
    assert set(placeholders) == set(spec.cells)
