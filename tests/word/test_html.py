"""The HTML page: real tables with the official merges, escaped text, numbers the importer reads back."""
from __future__ import annotations

import random

import pytest
from lxml import html as lhtml

from gxnb_xl.importer import import_file
from gxnb_xl.spec import load_spec
from gxnb_xl.testing.synth import random_report
from gxnb_xl.values import format_number
from gxnb_xl.word import render_html, render_report


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_tables_and_merges(fmt):
    report = random_report(random.Random(8), fmt, busy=0.6)
    page = lhtml.fromstring(render_html(report))
    assert page.get("lang") == "zh-CN"
    tables = page.findall(".//table")
    assert [t.get("data-table") for t in tables] == ["t2", "t3", "t4"]
    cells = {td.get("data-cell"): td.text_content() for td in page.iter("td") if td.get("data-cell")}
    assert set(cells) == set(load_spec(fmt).cells)
    for cid, text in cells.items():
        assert text == format_number(report.values[cid])
    t3 = tables[1].findall("tr")
    note = t3[0][0]
    assert (note.get("rowspan"), note.get("colspan")) == ("3", "3")
    assert (t3[0][1].text_content(), t3[0][1].get("colspan")) == ("申请人情况", "7")
    assert [(c.text_content(), c.get("rowspan"), c.get("colspan")) for c in t3[1]] == [
        ("自然人", "2", None), ("法人或其他组织", None, "5"), ("总计", "2", None)]
    caption = next(c for c in tables[1].iter("th", "td") if c.text_content() == "三、本年度办理结果")
    outcome_rows = len(load_spec(fmt).sets["t3_outcomes"].members) + 1  # + （七）总计
    assert caption.get("rowspan") == str(outcome_rows)
    t4 = tables[2].findall("tr")
    assert [(c.text_content(), c.get("rowspan"), c.get("colspan")) for c in t4[0]] == [
        ("行政复议", "2", "5"), ("行政诉讼", None, "10")]
    assert [(c.text_content(), c.get("colspan")) for c in t4[1]] == [("未经复议直接起诉", "5"), ("复议后起诉", "5")]
    headings = [h.text_content() for h in page.iter("h2")]
    assert headings == [s.heading for s in load_spec(fmt).sections if s.heading]


@pytest.mark.parametrize("fmt,seed", [("2021", 1), ("2021", 2), ("2019", 3)])
def test_importer_reads_the_same_numbers_back(tmp_path, fmt, seed):
    report = random_report(random.Random(seed), fmt, busy=0.7)
    done = render_report(report, tmp_path / "r.docx", html=True, draft=True)
    for path in (done.docx, done.html):
        back = import_file(path).report
        assert back.format == fmt and back.year == report.year and back.unit == report.unit
        assert {c: back.values.get(c) for c in report.spec.cells} == {c: report.values[c] for c in report.spec.cells}
