import random

from hypothesis import given, settings
from hypothesis import strategies as st

from gxnb_xl.testing.synth import random_report
from gxnb_xl.text_rules import check_text, repeated_share


def report(narrative, seed=1, year=2024):
    r = random_report(random.Random(seed), "2021", year=year, busy=0.6)
    r.narrative = narrative
    return r


def rules(findings):
    return sorted(f.instance for f in findings)


FEE = {"other_matters": "本年度未收取信息处理费，金额为0元。",
       "problems": "信息公开内容还不够丰富，下一步将加强培训。"}


def test_t1_quoted_numbers_must_equal_the_tables():
    r = report({})
    new, done, out = r.values["t3.new.total"], r.values["t3.total.total"], r.values["t3.carried_out.total"]
    r.narrative = {**FEE, "overview": f"2024年共收到政府信息公开申请{new}件，办结{done}件，结转下年度继续办理{out}件。"}
    assert check_text(r) == []
    r.narrative["overview"] = f"2024年共收到政府信息公开申请{new + 1}件，办结{done}件，结转下年度继续办理{out}件。"
    [f] = check_text(r)
    assert f.instance == "T1[t3.new.total]" and f.lhs == new + 1 and f.rhs == new
    assert "表三“一、本年新收政府信息公开申请数量”行“总计”列" in f.message


def test_t1_review_and_lawsuit_counts_and_none_received():
    r = report({})
    r.values["t3.new.total"] = 0
    review = r.values["t4.review.total"]
    suits = r.values["t4.suit_direct.total"] + r.values["t4.suit_after_review.total"]
    r.narrative = {**FEE, "overview": f"2024年未收到政府信息公开申请。发生行政复议{review}件，行政诉讼{suits + 2}起。"}
    assert rules(check_text(r)) == ["T1[t4.suit_direct.total]"]
    r.values["t3.new.total"] = 3
    assert "T1[t3.new.total]" in rules(check_text(r))


def test_t2_narrative_must_name_its_own_year():
    r = report({**FEE, "overview": "2023年，我镇认真落实条例。"}, year=2024)
    [f] = check_text(r)
    assert f.rule == "T2" and "2024" in f.message and "只提到了 2023 年" in f.message
    r.narrative["overview"] = "二〇二四年，我镇认真落实条例。"
    assert check_text(r) == []


def test_t3_fee_statement():
    r = report({"overview": "2024年工作情况。", "other_matters": "无"})
    assert rules(check_text(r)) == ["T3"]


def test_t4_repeated_text_share():
    last = report({"overview": "2023年，我镇高度重视政府信息公开工作，将做好政府信息公开工作列入全年重点工作和部门年度工作目标考核内容之一。" * 2})
    this = report({**FEE, "overview": "2024年，我镇高度重视政府信息公开工作，将做好政府信息公开工作列入全年重点工作和部门年度工作目标考核内容之一。"})
    found = [f for f in check_text(this, previous=last) if f.rule == "T4"]
    assert found and "与上年度报告相同" in found[0].message and found[0].lhs > 50
    fresh = report({**FEE, "overview": "2024年，全镇围绕乡村振兴和民生实事，新建公开栏十二处，培训村级信息员三十人次。"})
    assert not [f for f in check_text(fresh, previous=last) if f.rule == "T4"]


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=0, max_size=300), st.text(min_size=0, max_size=300))
def test_repeated_share_is_a_share(a, b):
    share, runs = repeated_share(a, b)
    assert 0.0 <= share <= 1.0
    assert repeated_share(a, a)[0] in (0.0, 1.0)
    assert all(len(r) >= 12 for r in runs)


def test_t5_draft_markers_must_be_removed_before_publishing():
    r = report({**FEE, "overview": "2024年工作情况。【系统草拟】以下内容请核对。", "problems": "【请补充】本部分内容"})
    found = {f.instance: f for f in check_text(r)}
    assert set(found) == {"T5[overview]", "T5[problems]"}
    assert found["T5[problems]"].severity == "error" and "五、存在的主要问题及改进情况" in found["T5[problems]"].message


def test_t2_a_cover_year_the_text_contradicts_is_named_as_such():
    """Cover 2023, narrative about 2024: not 'copied from an earlier report' but a contradiction."""
    r = report({**FEE, "overview": "2024年，我镇认真落实条例。"}, year=2023)
    [f] = check_text(r)
    assert f.rule == "T2" and f.message.startswith("封面年度 2023 与正文中的 2024 年不一致")
    assert "照搬" not in f.message and "2024" in f.text("en")


def test_t6_an_earlier_year_named_as_the_report_year():
    r = report({**FEE, "preamble": "本报告中所列数据统计期限为2022年1月1日至12月31日。",
                "overview": "2023年，我镇完成2022年度政府信息公开工作年度报告的发布。上年2022年度结转3件，较2022年度增长。"},
               year=2023)
    found = [f for f in check_text(r) if f.rule == "T6"]
    assert [f.params["wrong"] for f in found] == [2022] and "统计期限为2022年" in found[0].message
    r.narrative["preamble"] = "本报告中所列数据统计期限为2023年1月1日至12月31日。"
    r.narrative["overview"] = "2023年，我镇工作稳步推进，上年2022年度结转3件，同比2022年度增长。"
    assert not [f for f in check_text(r) if f.rule == "T6"]


def test_t7_t8_sections_missing_misnumbered_or_empty():
    r = report({"overview": "2024年工作情况。", "problems": "无"})
    found = {f.instance: f for f in check_text(r)}
    assert "T7[other_matters]" in found and "六、其他需要报告的事项" in found["T7[other_matters]"].message
    assert "T8" in found and "只写了“无”" in found["T8"].message
    r.narrative = {**FEE, "overview": "2024年工作情况。\n四、存在的主要问题及改进情况\n培训不足。"}
    [f] = [f for f in check_text(r) if f.rule == "T7"]
    assert "“四、存在的主要问题及改进情况”" in f.message and "应为“五、存在的主要问题及改进情况”" in f.message
    r.narrative = {**FEE, "overview": "2024年工作情况。\n（一）主动公开\n一、总体情况"}
    assert not [f for f in check_text(r) if f.rule in ("T7", "T8")]
