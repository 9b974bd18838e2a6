"""Odd input the importer must survive: run-together rows that explode combinatorially, text in
any encoding Notepad/WPS/a crawler saves, page furniture around the report."""
import pytest

from gxnb_xl.importer import import_file, import_text
from gxnb_xl.importer.sources import decode_text
from gxnb_xl.importer.split import BudgetExceeded, LocalEq, splits
from gxnb_xl.spec import load_spec

T4 = tuple(LocalEq(tuple((1, g * 5 + i) for i in range(4)) + ((-1, g * 5 + 4),)) for g in range(3))
ROW = LocalEq(tuple((1, i) for i in range(6)) + ((-1, 6),))


def _t4_row(values):
    return "".join(str(v) for v in values)


def test_39_digit_table_four_row_ends_with_its_unique_split():
    vals = []
    for parts in ((101, 202, 103, 104), (111, 120, 130, 140), (150, 160, 170, 180)):
        vals += list(parts) + [sum(parts)]
    run = _t4_row(vals)
    assert len(run) == 45
    got = splits([("run", run)], 15, T4)
    assert got == [tuple(vals)]


@pytest.mark.parametrize("run", ["123456789" * 6 + "123456", "1" * 39, "9" * 60, "10" * 30])
def test_long_rows_end_quickly_or_hit_the_cap(run):
    for n, eqs in ((15, T4), (7, (ROW,)), (3, ())):
        try:
            out = splits([("run", run)], n, eqs)
        except BudgetExceeded:
            continue
        assert all(len(c) == n for c in out)


def test_budget_is_a_real_cap():
    with pytest.raises(BudgetExceeded):
        splits([("run", "1" * 40)], 15, (), budget=1000)


def _t4_text(row: str) -> str:
    return "\n".join(["某某县某某局2023年政府信息公开工作年度报告", "一、总体情况", "概述。",
                      "四、政府信息公开行政复议、行政诉讼情况",
                      "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计", row,
                      "五、存在的主要问题及改进情况", "问题。"])


def test_sixty_digit_row_in_a_report_is_left_blank_with_a_note():
    r = import_text(_t4_text("1" * 60))
    assert all(r.report.values[f"t4.{g}.{c}"] is None for g in ("review", "suit_direct", "suit_after_review")
               for c in ("upheld", "total"))
    st = r.cell_status["t4.review.total"]
    assert st.status == "missing" and st.reason_zh
    assert any("t4.review.total" in w.cells for w in r.warnings)


SAMPLE = ("某某镇人民政府2023年政府信息公开工作年度报告\n一、总体情况\n我镇认真落实条例。\n"
          "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 3\n"
          "五、存在的主要问题及改进情况\n无。\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gb18030", "gbk"])
def test_text_in_any_common_encoding(tmp_path, encoding):
    p = tmp_path / f"r-{encoding}.txt"
    p.write_bytes(SAMPLE.encode(encoding))
    r = import_file(p)
    assert r.report.unit == "某某镇人民政府" and r.report.year == 2023
    assert r.report.values["t3.new.natural"] == 3


def test_big5_is_told_apart_from_gb18030():
    text = "臺北市政府資訊公開年度報告，本機關收到申請三件，均已答復。" * 5
    decoded, enc = decode_text(text.encode("big5"))
    assert enc == "big5" and decoded == text
    decoded, enc = decode_text(SAMPLE.encode("gb18030"))
    assert enc == "gb18030" and decoded == SAMPLE


def test_page_furniture_is_cut_out_of_the_narrative():
    text = ("【字体：大 中 小】 【打印本页】 当前位置： 首页 > 政务公开 > 年报 某某镇人民政府2023年政府信息公开工作年度报告 "
            "来源：党政办 时间：2024-01-20 09:00 --> 微信 微博 QQ空间 本报告依据条例编制。" + "说明。" * 60 +
            "一、总体情况我镇认真落实条例。" + "做法。" * 30 + "五、存在的主要问题及改进情况无。"
            "六、其他需要报告的事项本年度未收取信息处理费。 【关闭窗口】 主办：某某县人民政府办公室 备案号：京ICP备12345号 网站标识码：1234")
    r = import_text(text)
    nar = r.report.narrative
    assert r.report.unit == "某某镇人民政府" and r.report.year == 2023
    assert nar["preamble"].startswith("本报告依据条例编制。")
    assert nar["other_matters"] == "本年度未收取信息处理费。"
    joined = "\n".join(nar.values())
    for junk in ("字体", "打印本页", "关闭窗口", "主办", "备案号", "网站标识码", "当前位置", "QQ空间", "来源"):
        assert junk not in joined, junk


def test_crawler_title_lines_give_unit_and_year():
    text = ("# source: archive\n标题: 某某县某某局2022年度政府信息公开工作年度报告\n发布时间: 2023-01-10 10:00\n"
            "==================== 正文 ====================\n根据条例编制。" + "说明" * 100)
    r = import_text(text)
    assert (r.report.unit, r.report.year, r.report.level) == ("某某县某某局", 2022, "county_department")
    assert "标题" not in r.report.narrative["preamble"] and "source" not in r.report.narrative["preamble"]


def test_label_in_running_text_is_not_a_table_row():
    spec = load_spec("2021")
    assert spec
    text = ("某某县某某局2022年政府信息公开工作年度报告\n一、总体情况\n概述。\n二、主动公开政府信息情况\n"
            "全年公开行政许可类信息3条，行政处罚类信息5条。\n第二十条第（五）项\n信息内容 本年处理决定数量\n行政许可 12\n"
            "第二十条第（六）项\n信息内容 本年处理决定数量\n行政处罚 7\n行政强制 0\n")
    r = import_text(text).report.values
    assert r["t2.licensing.decisions"] == 12 and r["t2.penalty.decisions"] == 7


@pytest.mark.parametrize("text,unit,year", [
    ("某某县某某局政府信息公开工作年度报告（2023年度）\n一、总体情况\n好。", "某某县某某局", 2023),
    ("某某镇人民政府二〇二二年政府信息公开工作年度报告\n一、总体情况\n好。", "某某镇人民政府", 2022),
    ("2023年政府信息公开工作年度报告\n一、总体情况\n好。\n六、其他需要报告的事项\n无。\n某某县某某局\n2024年1月20日",
     "某某县某某局", 2023),
])
def test_unit_and_year_from_other_title_shapes_and_the_signature(text, unit, year):
    r = import_text(text).report
    assert (r.unit, r.year) == (unit, year)


def test_year_from_publication_date_is_flagged():
    r = import_text("标题: 某某县某某局政府信息公开工作年度报告\n发布时间: 2024-01-15\n一、总体情况\n我局做了工作。")
    assert r.report.year == 2023 and r.report.unit == "某某县某某局"
    assert any("发布时间" in w.zh for w in r.warnings)


def test_web_page_laid_out_with_tables_and_article_links(tmp_path):
    """Old sites lay the whole page out in a table; the report's tables sit inside it, and the page
    ends with links to other articles (上一篇/下一篇 with dates and numbers)."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    from imp_builders import report_html
    from imp_score import score
    from pdf_corpus import _report_of, corpus_cases
    path, truth = corpus_cases()[3]
    html = report_html(_report_of(truth))
    body = html[html.index("<body>") + 6: html.index("</body>")]
    page = ("<html><head><meta charset='utf-8'></head><body><table width='100%'><tr><td>首页 | 政务公开 | 2023-01-01</td></tr>"
            f"<tr><td><table><tr><td>{body}</td></tr></table></td></tr><tr><td>上一篇：某某通知 2023-01-02</td></tr>"
            "<tr><td>下一篇：另一通知 12 34</td></tr></table></body></html>")
    p = tmp_path / "page.html"
    p.write_text(page, "utf-8")
    r = import_file(p).report.to_json_dict()
    right, wrong, blank = score(r["values"], truth)
    assert wrong == [] and right == len(truth["values"])
    assert r["narrative"]["other_matters"] == "本年度未收取信息处理费，收取信息处理费0元。"


@pytest.mark.parametrize("top", [
    "索引号：11350128/2022-00012 发布机构：平潭综合实验区公安局 生成日期：2022-01-14\n名称：平潭综合实验区公安局2021年政府信息公开工作年度报告",
    "索引号 | 11350128/2022-00012 | 发布机构 | 区公安局\n平潭综合实验区公安局2021年政府信息公开工作年度报告\n信息来源：区公安局 浏览次数：123",
])
def test_disclosure_catalogue_box_stays_out(top):
    r = import_text(top + "\n根据条例编制。\n一、总体情况\n好。")
    assert (r.report.unit, r.report.year) == ("平潭综合实验区公安局", 2021)
    assert r.report.narrative["preamble"] == "根据条例编制。"


def test_breadcrumb_before_the_title_is_not_the_unit():
    r = import_text("首页 > 政务公开 > 政府信息公开年报 > 某某县某某局2023年政府信息公开工作年度报告\n一、总体情况\n好。")
    assert (r.report.unit, r.report.year) == ("某某县某某局", 2023)
