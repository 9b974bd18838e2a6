"""Rendered reports read back with python-docx: numbers in their merged cells, headings in order,
staff text literal, drafted text agreeing with the tables, refusal and the 未通过校验 mark."""
from __future__ import annotations

import io
import random
import re
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings, strategies as st

from gxnb_xl.check import check as check_report
from gxnb_xl.report import load_report
from gxnb_xl.spec import load_spec
from gxnb_xl.testing.synth import random_report
from gxnb_xl.values import format_number
from gxnb_xl.word import MARK, RenderRefused, render_docx_bytes, render_report
from gxnb_xl.word.context import DRAFT_NOTE, build_context
from gxnb_xl.word.text import unjoin
from gxnb_xl.word import style as S

from .docx_grid import table_grid

NASTY = "A&B <C> {{x}} {% if %} {_{ y }_} \"引号\" '单引号' 100% \\n\ttab"


def _render(report, **kw) -> Document:
    return Document(io.BytesIO(render_docx_bytes(report, **kw)))


def expected_positions(fmt: str) -> dict[str, dict[str, tuple[int, int]]]:
    """Where FORMAT.md puts every number, computed here independently of the renderer's layout."""
    spec = load_spec(fmt)
    out: dict[str, dict[str, tuple[int, int]]] = {"t2": {}, "t3": {}, "t4": {}}
    t2 = spec.tables["t2"]
    r = 0
    for block in t2["blocks"]:
        r += 2  # caption row, 信息内容 row
        for row in block["rows"]:
            for j, col in enumerate(block["columns"]):
                out["t2"][f"t2.{row['key']}.{col['key']}"] = (r, 1 + j)
            r += 1
    t3 = spec.tables["t3"]
    for i, row in enumerate(t3["rows"]):
        for j, col in enumerate(t3["columns"]):
            out["t3"][f"t3.{row['key']}.{col['key']}"] = (3 + i, 3 + j)  # 3 header rows, 3 label columns
    t4 = spec.tables["t4"]
    for g, group in enumerate(t4["groups"]):
        for j, col in enumerate(t4["columns"]):
            out["t4"][f"t4.{group['key']}.{col['key']}"] = (3, 5 * g + j)  # 3 header rows
    return out


def assert_tables(doc, report):
    spec = report.spec
    tables = {tid: doc.tables[i] for i, tid in enumerate(("t2", "t3", "t4"))}
    for tid, positions in expected_positions(report.format).items():
        grid = table_grid(tables[tid])
        for cid, pos in positions.items():
            v = report.values.get(cid)
            assert grid[pos]["text"] == ("" if v is None else format_number(v)), (cid, pos)
            assert grid[pos]["vmerge"] is None
        # nothing else in the table is a number: every number is in its cell
        numeric = {p for p, c in grid.items() if re.fullmatch(r"-?\d+(\.\d+)?", c["text"])}
        assert numeric <= set(positions.values())
    assert len(spec.cells) == sum(len(p) for p in expected_positions(report.format).values())


def assert_merges(doc, fmt):
    spec = load_spec(fmt)
    t3 = table_grid(doc.tables[1])
    assert t3[(0, 0)] == {"text": spec.tables["t3"]["note"], "span": 3, "vmerge": "restart"}
    assert t3[(1, 0)]["vmerge"] == t3[(2, 0)]["vmerge"] == "continue" and t3[(1, 0)]["span"] == 3
    assert t3[(0, 3)] == {"text": "申请人情况", "span": 7, "vmerge": None}
    assert t3[(1, 3)] == {"text": "自然人", "span": 1, "vmerge": "restart"} and t3[(2, 3)]["vmerge"] == "continue"
    assert t3[(1, 4)] == {"text": "法人或其他组织", "span": 5, "vmerge": None}
    assert t3[(1, 9)] == {"text": "总计", "span": 1, "vmerge": "restart"} and t3[(2, 9)]["vmerge"] == "continue"
    assert [t3[(2, c)]["text"] for c in range(4, 9)] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    rows = spec.tables["t3"]["rows"]
    for i, row in enumerate(rows):
        labels, r = row["labels"], 3 + i
        if len(labels) == 1:
            assert t3[(r, 0)] == {"text": labels[0], "span": 3, "vmerge": None}
            continue
        prev = rows[i - 1]["labels"]
        first_a = prev[:1] != labels[:1]
        assert t3[(r, 0)]["vmerge"] == ("restart" if first_a else "continue")
        assert t3[(r, 0)]["text"] == (labels[0] if first_a else "")
        if len(labels) == 2:
            assert t3[(r, 1)] == {"text": labels[1], "span": 2, "vmerge": None}
        else:
            first_b = prev[:2] != labels[:2]
            assert t3[(r, 1)]["vmerge"] == ("restart" if first_b else "continue")
            assert t3[(r, 1)]["text"] == (labels[1] if first_b else "")
            assert t3[(r, 2)] == {"text": labels[2], "span": 1, "vmerge": None}
    t4 = table_grid(doc.tables[2])
    assert t4[(0, 0)] == {"text": "行政复议", "span": 5, "vmerge": "restart"} and t4[(1, 0)]["vmerge"] == "continue"
    assert t4[(0, 5)] == {"text": "行政诉讼", "span": 10, "vmerge": None}
    assert t4[(1, 5)] == {"text": "未经复议直接起诉", "span": 5, "vmerge": None}
    assert t4[(1, 10)] == {"text": "复议后起诉", "span": 5, "vmerge": None}
    assert [t4[(2, c)]["text"] for c in range(5)] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    t2 = table_grid(doc.tables[0])
    blocks = spec.tables["t2"]["blocks"]
    assert t2[(0, 0)] == {"text": blocks[0]["caption"], "span": 4, "vmerge": None}
    assert t2[(1, 0)]["text"] == "信息内容"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), fmt=st.sampled_from(["2021", "2019"]), busy=st.floats(0.05, 0.95))
def test_random_reports_round_trip_through_docx(seed, fmt, busy):
    report = random_report(random.Random(seed), fmt, busy=busy, unit="测试镇人民政府")
    doc = _render(report)
    assert_tables(doc, report)
    spec = report.spec
    paragraphs = [p for p in doc.paragraphs]
    if not all(report.narrative.get(k) for k in spec.narrative_keys):  # drafted: marked 草稿 above the title
        assert paragraphs[0].text.startswith("【草稿】")
        paragraphs = paragraphs[1:]
    assert unjoin(paragraphs[0].text) == f"测试镇人民政府{report.year}年政府信息公开工作年度报告"
    assert paragraphs[0].style.name == S.S_TITLE
    headings = [p.text for p in paragraphs if p.style.name == S.S_H1]
    assert headings == [s.heading for s in spec.sections if s.heading]
    assert len(headings) == 6
    # the tables sit right after their headings, in order
    body = doc.element.body
    seq = [("T" if el.tag == qn("w:tbl") else "H") for el in body
           if el.tag == qn("w:tbl") or (el.tag == qn("w:p") and el.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") is not None
                                         and el.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val")) == S.style_id(S.S_H1))]
    assert "".join(seq) == "HHTHTHTHH"


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_official_merges(fmt):
    report = random_report(random.Random(1), fmt, busy=0.5)
    assert_merges(_render(report), fmt)


def test_staff_text_survives_literally_in_docx_and_html(tmp_path):
    report = random_report(random.Random(7), "2021", busy=0.4)
    report.narrative = {"preamble": NASTY, "overview": "（一）主动公开。" + NASTY + "\n第二段 {{ title }}",
                        "problems": "{% for x in range(10**9) %}x{% endfor %}", "other_matters": "{{ v }} & {{ 7*7 }}"}
    report.unit = "A&B镇{{unit}}"
    done = render_report(report, tmp_path / "r.docx", html=True)
    doc = Document(str(done.docx))
    texts = [unjoin(p.text) for p in doc.paragraphs]
    assert texts[0] == "A&B镇{{unit}}" + f"{report.year}年政府信息公开工作年度报告"
    assert NASTY in texts
    assert "（一）主动公开。" + NASTY in texts
    assert "第二段 {{ title }}" in texts
    assert "{% for x in range(10**9) %}x{% endfor %}" in texts
    assert "{{ v }} & {{ 7*7 }}" in texts
    html = done.html.read_text(encoding="utf-8")
    from lxml import html as lhtml
    page = lhtml.fromstring(html)
    ps = [p.text_content() for p in page.iter("p")]
    assert NASTY in ps and "{{ v }} & {{ 7*7 }}" in ps
    assert page.find(".//h1").text_content() == texts[0]
    # the part heading is 楷体 (second-level), the rest of the paragraph body text
    para = next(p for p in doc.paragraphs if p.text.startswith("（一）主动公开。"))
    runs = [r for r in para.runs if r.text]
    assert runs[0].style.name == S.S_H2_CHAR and runs[0].text == "（一）主动公开。"
    assert runs[1].style.name != S.S_H2_CHAR


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", text)


@pytest.mark.parametrize("fmt,seed", [("2021", 3), ("2021", 11), ("2019", 5)])
def test_empty_sections_are_drafted_from_the_tables_and_marked(fmt, seed):
    report = random_report(random.Random(seed), fmt, busy=0.7)
    report.narrative = {}
    ctx = build_context(report)
    assert ctx["drafted"] == list(report.spec.narrative_keys)
    doc = _render(report, context=ctx)
    texts = [unjoin(p.text) for p in doc.paragraphs]
    assert texts.count(DRAFT_NOTE) == len(report.spec.narrative_keys)
    values = {format_number(v) for v in report.values.values() if v is not None}
    values |= {format_number(v) for v in (_group_sums(report))}
    overview = [p for p in ctx["paragraphs"]["overview"] if p.drafted]
    t3 = report.spec.tables["t3"]
    total = f"t3.{t3['rows'][0]['key']}.total"
    assert f"共收到政府信息公开申请{format_number(report.values[total])}件" in "".join(p.raw for p in overview)
    for p in overview:
        for n in _numbers(re.sub(r"\d{4}年|（[一二三四五六七八九十]+）", "", p.raw)):
            assert n in values, (n, p.raw)
    # drafted runs are shaded so the clerk sees what to review
    shaded = [p for p in doc.paragraphs if p._p.xml.count(f'w:fill="{S.DRAFT_FILL}"')]
    assert len(shaded) >= len(overview)
    other = [p.raw for p in ctx["paragraphs"]["other_matters"] if p.drafted]
    assert any("信息处理费" in x and "元" in x for x in other)


def _group_sums(report):
    """Sums the drafted text may quote: outcome groups and applicant groups of 表三, 表四 totals."""
    spec, v = report.spec, report.values
    t3 = spec.tables["t3"]
    out = []
    rows = {r["key"]: r for r in t3["rows"]}
    groups: dict[str, int] = {}
    for o in spec.sets["t3_outcomes"].members:
        label = rows[o]["labels"][1]
        groups[label] = groups.get(label, 0) + v[f"t3.{o}.total"]
    out += groups.values()
    for r in t3["rows"]:
        out.append(sum(v[f"t3.{r['key']}.{c['key']}"] for c in t3["columns"] if c.get("group")))
    out.append(v["t4.suit_direct.total"] + v["t4.suit_after_review.total"])
    return out


def test_errors_refuse_and_force_marks_every_header(tmp_path):
    report = random_report(random.Random(2), "2021", busy=0.5)
    report.values["t3.granted.natural"] = (report.values["t3.granted.natural"] or 0) + 9
    with pytest.raises(RenderRefused) as exc:
        render_report(report, tmp_path / "x.docx")
    assert "--force" in exc.value.message("zh") and not (tmp_path / "x.docx").exists()
    done = render_report(report, tmp_path / "x.docx", force=True, html=True)
    assert not done.passed and len(done.errors) == 1  # one slip, one finding (R3.2 and R3.3 folded)
    doc = Document(str(done.docx))
    for h in (doc.sections[0].header, doc.sections[0].even_page_header):
        assert MARK in h.paragraphs[0].text
        assert h.paragraphs[0].runs[0].font.color.rgb is not None
    assert doc.paragraphs[0].text.startswith(f"【{MARK}】")
    assert MARK in doc.core_properties.subject
    assert MARK in done.html.read_text(encoding="utf-8")


def test_clean_report_has_no_mark(tmp_path):
    report = load_report("examples/county-2024/01-城关镇.json")
    done = render_report(report, tmp_path / "ok.docx")
    doc = Document(str(done.docx))
    assert done.passed and done.drafted == []
    assert all(MARK not in p.text for p in doc.paragraphs)
    assert all(MARK not in p.text for p in doc.sections[0].header.paragraphs)
    assert check_report(report).status != "errors"


def test_amounts_print_via_format_number(tmp_path):
    report = random_report(random.Random(4), "2021", busy=0.5)
    report.values["t2.fees.amount"] = Decimal("12.3400")
    doc = _render(report)
    assert table_grid(doc.tables[0])[expected_positions("2021")["t2"]["t2.fees.amount"]]["text"] == "12.34"


def test_blank_cells_stay_blank_not_zero():
    report = random_report(random.Random(5), "2021", busy=0.5)
    for cid in list(report.values):
        if cid.startswith("t4."):
            report.values[cid] = None
    doc = _render(report)
    grid = table_grid(doc.tables[2])
    assert all(grid[(3, c)]["text"] == "" for c in range(15))
