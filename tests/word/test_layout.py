"""The one table grid (``word/layout.py``) and the Word tables drawn from it: widths in characters,
header labels broken between words (never 自然/人), the outermost caption one character a line,
row labels of a ``grid`` table left-aligned, header rows repeated on every page, each block of a
``blocks`` table kept on one page."""
from __future__ import annotations

import io
import random

import pytest
from docx import Document
from docx.oxml.ns import qn

from gxnb_xl.spec import FORMAT_IDS, load_spec
from gxnb_xl.testing.synth import random_report
from gxnb_xl.word import render_docx_bytes
from gxnb_xl.word.layout import chars_fitting, label_lines, table_grids


def test_label_lines_break_between_words():
    assert label_lines("自然人", 3) == ("自然人",)
    assert label_lines("商业企业", 3) == ("商业", "企业")
    assert label_lines("社会公益组织", 3) == ("社会", "公益", "组织")
    assert label_lines("社会公益组织", 4) == ("社会公益", "组织")
    assert label_lines("（三）不予公开", 4) == ("（三）", "不予公开")
    assert label_lines("本年收费金额（单位：万元）", 9) == ("本年收费金额", "（单位：万元）")


@pytest.mark.parametrize("fmt", FORMAT_IDS)
def test_grid_from_the_format_data(fmt):
    spec = load_spec(fmt)
    grids = table_grids(fmt)
    assert list(grids) == list(spec.tables)
    for tid, g in grids.items():
        kind = spec.tables[tid]["kind"]
        assert g.kind == kind and abs(sum(g.widths_mm) - 156) < 0.1, (tid, g.widths_mm)
        for c in g.cells:
            if c.role == "header" and c.text:
                fit = chars_fitting(g.width_of(c))
                lines = c.lines or (c.text,)
                assert "".join(lines) == c.text
                assert all(len(line) <= fit for line in lines), (tid, c.text, lines, fit)
        if kind == "blocks":
            assert g.header_rows == 0 and sum(end - first for first, end in g.keep_rows) == g.n_rows
        else:
            assert g.header_rows >= 2 and not g.keep_rows
        if kind == "grid":
            vertical = [c for c in g.cells if c.vertical]
            assert len(vertical) == 1 and vertical[0].lines == tuple(vertical[0].text)
            assert chars_fitting(g.widths_mm[0]) == 1  # the outermost caption column: one character
            leaves = [c for c in g.cells if c.role == "label" and c.rowspan == 1]
            assert leaves and all(c.align == "left" for c in leaves)
            assert all(c.align == "center" for c in g.cells if c.role == "label" and c.rowspan > 1)


@pytest.mark.parametrize("fmt", FORMAT_IDS)
def test_word_tables_drawn_from_the_grid(fmt):
    report = random_report(random.Random(5), fmt, busy=0.5)
    doc = Document(io.BytesIO(render_docx_bytes(report)))
    grids = list(table_grids(fmt).values())
    assert len(doc.tables) == len(grids)
    for table, g in zip(doc.tables, grids):
        rows = table._tbl.findall(qn("w:tr"))
        assert len(rows) == g.n_rows
        heads = [tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None for tr in rows]
        assert heads == [r < g.header_rows for r in range(g.n_rows)]
        keep = [all(p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None for p in tr.iter(qn("w:p"))) for tr in rows]
        assert keep == [any(first <= r < end - 1 for first, end in g.keep_rows) for r in range(g.n_rows)]
        for c in g.cells:
            if c.cell or not c.text:
                continue
            tc = _tc_at(rows[c.row], c.col)
            p = tc.find(qn("w:p"))
            assert p.find(f"{qn('w:pPr')}/{qn('w:jc')}").get(qn("w:val")) == ("left" if c.align == "left" else "center")
            texts = [t.text for t in p.iter(qn("w:t"))]
            assert texts == list(c.lines or (c.text,)), (c.text, texts)
            assert len(list(p.iter(qn("w:br")))) == max(len(c.lines) - 1, 0)


def _tc_at(tr, col: int):
    k = 0
    for tc in tr.findall(qn("w:tc")):
        if k == col:
            return tc
        span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
        k += int(span.get(qn("w:val"))) if span is not None else 1
    raise AssertionError(f"no cell starts at column {col}")
