"""Real published reports (flattened web text) import with no wrong cell, and nearly every cell."""
import pytest

from imp_score import score
from gxnb_xl.importer import import_file
from pdf_corpus import corpus_cases

CASES = corpus_cases()


def test_corpus_present():
    assert len(CASES) == 7


@pytest.mark.parametrize("path,truth", CASES, ids=[p.stem[:2] for p, _ in CASES])
def test_corpus_report_has_no_wrong_cell(path, truth):
    before = path.read_bytes()
    result = import_file(path)
    got = result.report.to_json_dict()
    assert path.read_bytes() == before
    for key in ("format", "year", "unit", "level"):
        assert got[key] == truth[key], key
    right, wrong, blank = score(got["values"], truth)
    assert wrong == [], wrong
    assert right >= 0.98 * len(truth["values"]) or blank <= 3
    # a value is "read" only where the source shows a boundary; run-together rows are "derived"
    for cid, st in result.cell_status.items():
        if st.status == "derived":
            assert st.reason_zh
        if st.status == "missing":
            assert got["values"].get(cid) is None and st.reason_zh


def test_corpus_overall_share():
    total = right = 0
    for path, truth in CASES:
        r, wrong, _ = score(import_file(path).report.to_json_dict()["values"], truth)
        assert not wrong
        total += len(truth["values"])
        right += r
    assert right / total >= 0.98


def test_run_together_rows_are_derived_not_read():
    path, _ = next(c for c in CASES if c[0].stem.startswith("21"))
    r = import_file(path)
    st = r.cell_status["t3.new.natural"]
    assert st.status == "derived" and "粘连" in st.reason_zh and r.report.values["t3.new.natural"] == 6
    # "2023" under 行政规范性文件 splits as 2|0|23 or 20|2|3: left blank with the candidates
    assert r.report.values["t2.normative.issued"] is None
    assert set(r.cell_status["t2.normative.issued"].candidates) == {2, 20}


def test_narrative_settles_a_table_two_split():
    path, _ = next(c for c in CASES if c[0].stem.startswith("30"))
    r = import_file(path)
    assert [r.report.values[f"t2.normative.{c}"] for c in ("issued", "repealed", "in_force")] == [5, 4, 16]
    assert "正文" in r.cell_status["t2.normative.in_force"].reason_zh


def test_signed_change_glued_keeps_what_is_certain():
    path, _ = next(c for c in CASES if c[0].stem.startswith("25"))
    r = import_file(path).report.values
    assert r["t2.licensing.prev_items"] == 88 and r["t2.licensing.change"] is None
    assert r["t2.fees.change"] == -15
    assert r["t2.procurement.projects"] is None and r["t2.procurement.amount"] is None


def test_page_furniture_stays_out_of_the_narrative():
    for path, _ in CASES:
        nar = import_file(path).report.narrative
        text = "\n".join(nar.values())
        for junk in ("微信 微博", "QQ空间", "全真版 文字版", "附件下载", "当前位置", "标题:", "发布时间", "-->", "相关链接"):
            assert junk not in text, (path.name, junk)
    path, _ = next(c for c in CASES if c[0].stem.startswith("21"))
    nar = import_file(path).report.narrative
    assert nar["preamble"].startswith("根据《中华人民共和国政府信息公开条例》")
    assert nar["other_matters"].endswith("本年度没有产生信息公开处理费。")
